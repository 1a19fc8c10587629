import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * True when `signatureHex` is the HMAC-SHA256 of `data` under `secret`, compared in constant
 * time. Most providers sign this way over the raw body (some with a timestamp prefixed, which
 * the caller adds to `data`).
 */
export function hmacSha256Matches(
  secret: string,
  data: Buffer | string,
  signatureHex: string,
): boolean {
  const expected = createHmac('sha256', secret).update(data).digest();
  const given = Buffer.from(signatureHex, 'hex');

  return given.length === expected.length && timingSafeEqual(given, expected);
}
