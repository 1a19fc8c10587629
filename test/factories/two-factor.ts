import { hotp, totpStep } from '@bourse/platform';
import type { TestServer } from '../setup/apps';
import type { SignedInUser } from './users';

/** What an authenticator app does with the base32 secret it scanned. */
export function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of text) {
    value = (value << 5) | alphabet.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }

  return Buffer.from(out);
}

/**
 * Turns two-factor on for `user` over HTTP, as the app would: enrol, then confirm with the code
 * of `step` (now's by default). Answers the secret and the recovery codes.
 */
export async function enrolTwoFactor(
  api: TestServer,
  user: SignedInUser,
  step = totpStep(Date.now()),
): Promise<{ secret: Buffer; otpauthUri: string; recoveryCodes: string[] }> {
  const started = await api.request('POST', '/v1/me/two-factor', { token: user.accessToken });
  if (started.status !== 201) {
    throw new Error(`enrol failed: ${started.status} ${JSON.stringify(started.body)}`);
  }
  const secret = base32Decode(started.body.secret as string);
  const confirmed = await api.request('POST', '/v1/me/two-factor/confirm', {
    token: user.accessToken,
    body: { code: hotp(secret, step) },
  });
  if (confirmed.status !== 200) {
    throw new Error(`confirm failed: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
  }

  return {
    secret,
    otpauthUri: started.body.otpauthUri as string,
    recoveryCodes: confirmed.body.recoveryCodes as string[],
  };
}
