import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The digests Sumsub may name in `X-Payload-Digest-Alg`, and the HMAC each one is. */
export const SUMSUB_DIGEST_ALGORITHMS = {
  HMAC_SHA1_HEX: 'sha1',
  HMAC_SHA256_HEX: 'sha256',
  HMAC_SHA512_HEX: 'sha512',
} as const;
export type SumsubDigestAlgorithm = keyof typeof SUMSUB_DIGEST_ALGORITHMS;

/** `X-Payload-Digest` as Sumsub computes it: a hex HMAC of the raw body under the webhook secret. */
export function sumsubDigest(
  secret: string,
  rawBody: Buffer | string,
  algorithm: SumsubDigestAlgorithm,
): string {
  return createHmac(SUMSUB_DIGEST_ALGORITHMS[algorithm], secret).update(rawBody).digest('hex');
}

/**
 * True when the request carries a digest of these exact bytes in the algorithm it names, compared
 * in constant time. An algorithm we do not know is a failure, never a fallback.
 */
export function sumsubSignatureMatches(
  secret: string,
  rawBody: Buffer,
  headers: IncomingHttpHeaders,
): boolean {
  const digest = headers['x-payload-digest'];
  const algorithm = headers['x-payload-digest-alg'];
  if (
    typeof digest !== 'string' ||
    typeof algorithm !== 'string' ||
    !Object.hasOwn(SUMSUB_DIGEST_ALGORITHMS, algorithm)
  ) {
    return false;
  }
  const expected = Buffer.from(
    sumsubDigest(secret, rawBody, algorithm as SumsubDigestAlgorithm),
    'hex',
  );
  const given = Buffer.from(digest, 'hex');

  return given.length === expected.length && timingSafeEqual(given, expected);
}
