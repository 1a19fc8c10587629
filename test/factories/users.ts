import { AuthService, NO_PASSWORD, rows, type Database, type Role } from '@bourse/platform';
import { randomUUID } from 'node:crypto';
import type { TestServer } from '../setup/apps';

export interface SignedInUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

export const uniqueEmail = (): string => `u-${randomUUID()}@example.com`;

/**
 * A user made through the real service (admins cannot register) and signed in over HTTP. Its
 * e-mail is verified (`emailVerified: false` for one that has not followed the link yet), as
 * moving value and starting KYC need.
 */
export async function signedInUser(
  api: TestServer,
  { role = 'user', emailVerified = true }: { role?: Role; emailVerified?: boolean } = {},
): Promise<SignedInUser> {
  const email = uniqueEmail();
  const password = 'a long enough password';
  const user = await api.app.get(AuthService).createUser({ email, password, role, emailVerified });
  const res = await api.request('POST', '/v1/auth/login', { body: { email, password } });
  if (res.status !== 200) {
    throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  }

  return {
    id: user.id,
    email,
    password,
    ...(res.body as Pick<SignedInUser, 'accessToken' | 'refreshToken'>),
  };
}

/**
 * A user that only owns things (a wallet's owner): a row of its own, no password anyone knows,
 * without the cost of hashing one. Returns its id.
 */
export async function ownerId(db: Database): Promise<string> {
  const id = randomUUID();
  await rows(
    db.manager,
    `INSERT INTO users (id, email, password_hash, role) VALUES ($1, $2, $3, 'user')`,
    [id, uniqueEmail(), NO_PASSWORD],
  );

  return id;
}
