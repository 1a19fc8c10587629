import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SECRET = /^[A-Za-z0-9_-]{43}$/;

/**
 * Refresh tokens and API keys are `<id>.<secret>`: the id finds the row, the secret proves
 * possession. Secrets are 256 random bits, so a fast SHA-256 is enough to store them (a slow
 * password hash only protects guessable secrets) and a lookup costs no scrypt.
 */
export interface OpaqueToken {
  id: string;
  secret: string;
}

export const newSecret = (): string => randomBytes(32).toString('base64url');

export const hashSecret = (secret: string): Buffer => createHash('sha256').update(secret).digest();

export const formatToken = ({ id, secret }: OpaqueToken): string => `${id}.${secret}`;

/** Undefined unless the shape is right, so a malformed id never reaches a uuid column. */
export function parseToken(value: string): OpaqueToken | undefined {
  const dot = value.indexOf('.');
  const id = value.slice(0, dot);
  const secret = value.slice(dot + 1);

  return dot > 0 && UUID.test(id) && SECRET.test(secret) ? { id, secret } : undefined;
}

export function secretMatches(secret: string, storedHash: Buffer): boolean {
  const actual = hashSecret(secret);

  return actual.length === storedHash.length && timingSafeEqual(actual, storedHash);
}
