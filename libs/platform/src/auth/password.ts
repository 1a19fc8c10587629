import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * scrypt with its parameters stored in the hash (`scrypt$N$r$p$salt$key`, base64url), so they can
 * be raised later without invalidating existing hashes. N=2^15, r=8 costs 32 MiB and ~50 ms.
 */
const CURRENT = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 64;
const SALT_LENGTH = 16;

function derive(password: string, salt: Buffer, params: typeof CURRENT): Promise<Buffer> {
  // Node refuses N*r*128 bytes at or above its 32 MiB default maxmem; allow the stored cost.
  const options: ScryptOptions = { ...params, maxmem: 128 * params.N * params.r * params.p * 2 };

  // NFKC: the same password typed on different keyboards or OSes hashes alike.
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/**
 * The stored hash of an account without a password (a user of an external provider):
 * verifyPassword refuses it, as any hash it cannot read, and a reset does not give it one.
 */
export const NO_PASSWORD = '-';

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, CURRENT);
  const { N, r, p } = CURRENT;

  return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** False for a wrong password or a hash this code cannot read; never throws on bad input. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') {
    return false;
  }
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isSafeInteger(n) && n > 0)) {
    return false;
  }
  const expected = Buffer.from(parts[5]!, 'base64url');
  const actual = await derive(password, Buffer.from(parts[4]!, 'base64url'), { N, r, p }).catch(
    () => undefined, // parameters scrypt refuses
  );

  return actual?.length === expected.length && timingSafeEqual(actual, expected);
}

let dummy: Promise<string> | undefined;

/**
 * A hash of a random password, compared against when a login names an unknown email so the
 * answer takes as long as a wrong password and does not reveal which emails have accounts.
 */
export function dummyPasswordHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(32).toString('base64url'));

  return dummy;
}
