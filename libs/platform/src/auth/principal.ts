import type { Role } from './roles';

export { ROLE_VALUES, type Role } from './roles';

/**
 * A user signed in at an external OpenID Connect provider (no local session): the issuer, and
 * when the provider last checked a second factor (`amr` holding `mfa`/`otp`, at `auth_time`).
 */
export interface ExternalSignIn {
  issuer: string;
  secondFactorAt?: number;
}

/**
 * Who is calling: a signed-in user (JWT) or a server-to-server client (API key). A user's
 * `sessionId` is the session (refresh-token family) their access token belongs to; for a token
 * of an external provider it is `external:<issuer>`, and `external` says so.
 */
export type Principal =
  | { kind: 'user'; userId: string; role: Role; sessionId: string; external?: ExternalSignIn }
  | { kind: 'apiKey'; apiKeyId: string; scopes: string[] };

/** A stable string per caller, e.g. to scope idempotency keys and rate limits. */
export function principalKey(principal: Principal | undefined): string {
  if (!principal) {
    return 'anonymous';
  }

  return principal.kind === 'user' ? `user:${principal.userId}` : `apikey:${principal.apiKeyId}`;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the global auth guard; absent on @Public() routes without credentials. */
    principal?: Principal;
  }
}
