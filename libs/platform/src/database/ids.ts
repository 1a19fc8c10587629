import { v7 } from 'uuid';

/** UUIDv7: time-ordered, so primary-key inserts append to the index instead of scattering. */
export const newId = (): string => v7();
