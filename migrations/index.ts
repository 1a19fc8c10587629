import type { MigrationInterface } from 'typeorm';

/** Every migration, oldest first. Hand-written SQL; each `down` undoes its `up`. */
export const MIGRATIONS: (new () => MigrationInterface)[] = [];
