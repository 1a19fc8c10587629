import { Sha256 } from '@aws-crypto/sha256-js';
import { ALGORITHM_IDENTIFIER, getCanonicalHeaders, SignatureV4 } from '@smithy/signature-v4';

/** The request shape the SDK's signer works on (@smithy/types' HttpRequest). */
export type SignableRequest = Parameters<SignatureV4['presign']>[0];

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** `AKID/20261207/us-east-1/s3/aws4_request`, split. */
export interface CredentialScope {
  accessKeyId: string;
  shortDate: string;
  region: string;
  service: string;
}

export function parseCredential(credential: string): CredentialScope | undefined {
  const [accessKeyId, shortDate, region, service, terminator, ...rest] = credential.split('/');
  if (!accessKeyId || !shortDate || !region || !service || terminator !== 'aws4_request') {
    return undefined;
  }

  return rest.length === 0 ? { accessKeyId, shortDate, region, service } : undefined;
}

/** `20261207T032800Z` → Date, or undefined when it is not SigV4's basic ISO 8601 format. */
export function parseAmzDate(value: string | undefined): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? '');

  return m ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`) : undefined;
}

/**
 * The AWS SDK's own SigV4 signer, opened up so the simulator can recompute a signature from a
 * request it rebuilt off the wire: canonical request, string to sign and signing-key derivation
 * are the SDK's code, not a second implementation that could agree with itself.
 */
class VerifyingSigner extends SignatureV4 {
  constructor(credentials: Credentials, region: string, service: string) {
    // S3 signs the path as sent: no normalisation, no second URI-encoding.
    super({ credentials, region, service, sha256: Sha256, uriEscapePath: false });
  }

  async requestSignature(
    request: SignableRequest,
    signedHeaders: string[],
    payloadHash: string,
    longDate: string,
    scope: string,
  ): Promise<string> {
    const canonicalHeaders = getCanonicalHeaders(request, undefined, new Set(signedHeaders));
    const canonical = this.createCanonicalRequest(request, canonicalHeaders, payloadHash);
    const stringToSign = await this.createStringToSign(
      longDate,
      scope,
      canonical,
      ALGORITHM_IDENTIFIER,
    );

    return this.sign(stringToSign, { signingDate: parseAmzDate(longDate) });
  }
}

/** The signature a client holding `credentials` computes for the request (header or query auth). */
export function expectedRequestSignature(
  credentials: Credentials,
  scope: CredentialScope,
  longDate: string,
  request: SignableRequest,
  signedHeaders: string[],
  payloadHash: string,
): Promise<string> {
  const signer = new VerifyingSigner(credentials, scope.region, scope.service);

  return signer.requestSignature(
    request,
    signedHeaders,
    payloadHash,
    longDate,
    `${scope.shortDate}/${scope.region}/${scope.service}/aws4_request`,
  );
}

/** A POST policy's signature: HMAC-SHA256 of its base64 text under the derived signing key. */
export function expectedPolicySignature(
  credentials: Credentials,
  scope: CredentialScope,
  policyBase64: string,
): Promise<string> {
  const signer = new VerifyingSigner(credentials, scope.region, scope.service);

  return signer.sign(policyBase64, {
    signingDate: new Date(
      `${scope.shortDate.slice(0, 4)}-${scope.shortDate.slice(4, 6)}-${scope.shortDate.slice(6)}T00:00:00Z`,
    ),
  });
}
