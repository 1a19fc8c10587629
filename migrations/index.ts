import type { MigrationInterface } from 'typeorm';
import { CreateAuth1764000000100 } from './1764000000100-create-auth';
import { CreateIdempotencyKeys1764000000200 } from './1764000000200-create-idempotency-keys';
import { CreateOutbox1764000000300 } from './1764000000300-create-outbox';

/** Every migration, oldest first. Hand-written SQL; each `down` undoes its `up`. */
export const MIGRATIONS: (new () => MigrationInterface)[] = [
  CreateAuth1764000000100,
  CreateIdempotencyKeys1764000000200,
  CreateOutbox1764000000300,
];
