import { DomainError } from '../errors/domain.error';

/** No credentials on a route that needs them. */
export class UnauthenticatedError extends DomainError {
  readonly code = 'auth.unauthenticated';
  readonly status = 401;
  constructor() {
    super('Authentication required: send a Bearer access token or an ApiKey');
  }
}

/** A malformed, forged, unknown or revoked token or API key. */
export class InvalidTokenError extends DomainError {
  readonly code = 'auth.invalid_token';
  readonly status = 401;
  constructor(detail = 'The token is invalid') {
    super(detail);
  }
}

export class TokenExpiredError extends DomainError {
  readonly code = 'auth.token_expired';
  readonly status = 401;
  constructor() {
    super('The token has expired');
  }
}

/** Same body for an unknown email and a wrong password, so it reveals no accounts. */
export class InvalidCredentialsError extends DomainError {
  readonly code = 'auth.invalid_credentials';
  readonly status = 401;
  constructor() {
    super('Email or password is incorrect');
  }
}

/** A refresh token was presented after rotation: it leaked, so its whole family is revoked. */
export class RefreshTokenReusedError extends DomainError {
  readonly code = 'auth.refresh_token_reused';
  readonly status = 401;
  constructor() {
    super('This refresh token was already used; the session has been revoked, sign in again');
  }
}

/** Too many failed sign-ins for one email: refused, whatever the password, until the window ends. */
export class TooManyLoginAttemptsError extends DomainError {
  readonly code = 'auth.too_many_attempts';
  readonly status = 429;
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many failed sign-ins for this account; retry after ${retryAfterSeconds} s`);
    this.extensions.retryAfter = retryAfterSeconds;
  }
}

/** Told only to a caller who knew the password, so it reveals nothing to a guesser. */
export class AccountDisabledError extends DomainError {
  readonly code = 'auth.account_disabled';
  readonly status = 403;
  constructor() {
    super('This account has been disabled; contact support');
  }
}

export class UserNotFoundError extends DomainError {
  readonly code = 'auth.user_not_found';
  readonly status = 404;
  constructor() {
    super('No such user');
  }
}

/** A signed-in user's current password, asked again before it changes, did not match. */
export class WrongPasswordError extends DomainError {
  readonly code = 'auth.wrong_password';
  readonly status = 403;
  constructor() {
    super('The current password is incorrect');
  }
}

export class ForbiddenError extends DomainError {
  readonly code = 'auth.forbidden';
  readonly status = 403;
  constructor(detail = 'You are not allowed to do this') {
    super(detail);
  }
}

export class EmailTakenError extends DomainError {
  readonly code = 'auth.email_taken';
  readonly status = 409;
  constructor() {
    super('An account with this email already exists');
  }
}

export class ApiKeyNotFoundError extends DomainError {
  readonly code = 'auth.api_key_not_found';
  readonly status = 404;
  constructor(readonly apiKeyId: string) {
    super(`API key ${apiKeyId} does not exist`);
  }
}

/** The route moves value or starts an identity check: the account's e-mail must be verified. */
export class EmailUnverifiedError extends DomainError {
  readonly code = 'auth.email_unverified';
  readonly status = 403;
  constructor() {
    super('Verify your e-mail address first (POST /v1/me/email-verification resends the link)');
  }
}

/** A verification or reset link that is unknown, tampered with, used or expired (one answer). */
export class InvalidEmailTokenError extends DomainError {
  readonly code = 'auth.invalid_email_token';
  readonly status = 400;
  constructor(detail = 'This link is invalid, already used or expired; ask for a new one') {
    super(detail);
    this.extensions.field = 'token';
  }
}

/** A verification e-mail asked for again within AUTH_EMAIL_RESEND_SECONDS. */
export class ResendTooSoonError extends DomainError {
  readonly code = 'auth.resend_too_soon';
  readonly status = 429;
  constructor(readonly retryAfterSeconds: number) {
    super(`An e-mail was sent moments ago; retry after ${retryAfterSeconds} s`);
    this.extensions.retryAfter = retryAfterSeconds;
  }
}

export class EmailAlreadyVerifiedError extends DomainError {
  readonly code = 'auth.email_already_verified';
  readonly status = 409;
  constructor() {
    super('This e-mail address is already verified');
  }
}

/**
 * The password was right and the account has two-factor on: finish the sign-in at
 * POST /v1/auth/login/second-factor with `challengeToken` (valid five minutes) and a code.
 */
export class SecondFactorRequiredError extends DomainError {
  readonly code = 'auth.second_factor_required';
  readonly status = 403;
  constructor(challengeToken: string) {
    super('Enter the code from your authenticator app (or a recovery code) to finish signing in');
    this.extensions.challengeToken = challengeToken;
  }
}

/** A TOTP or recovery code that does not match, was already used, or a bad challenge. */
export class InvalidSecondFactorError extends DomainError {
  readonly code = 'auth.invalid_second_factor';
  readonly status = 401;
  constructor(detail = 'The code is wrong or was already used') {
    super(detail);
  }
}

/** A route marked @RequireStepUp(): prove a second factor at POST /v1/me/step-up, then retry. */
export class StepUpRequiredError extends DomainError {
  readonly code = 'auth.step_up_required';
  readonly status = 403;
  constructor(maxAgeSeconds: number) {
    super(`Confirm with your second factor (POST /v1/me/step-up); it holds ${maxAgeSeconds} s`);
  }
}

/** AUTH_STEP_UP=always and the user has not turned two-factor on. */
export class TwoFactorRequiredError extends DomainError {
  readonly code = 'auth.two_factor_required';
  readonly status = 403;
  constructor() {
    super('Turn on two-factor authentication (POST /v1/me/two-factor) before doing this');
  }
}

export class TwoFactorStateError extends DomainError {
  readonly code = 'auth.two_factor_state';
  readonly status = 409;
  constructor(detail: string) {
    super(detail);
  }
}

export class SessionNotFoundError extends DomainError {
  readonly code = 'auth.session_not_found';
  readonly status = 404;
  constructor() {
    super('No such session of yours');
  }
}

/** An external token whose e-mail belongs to a local account the provider has not verified. */
export class ExternalEmailTakenError extends DomainError {
  readonly code = 'auth.external_email_taken';
  readonly status = 409;
  constructor() {
    super('An account with this e-mail exists and the provider has not verified the address');
  }
}

/** An external provider's JWKS could not be fetched: retry (the token may well be good). */
export class IdentityProviderUnavailableError extends DomainError {
  readonly code = 'auth.provider_unavailable';
  readonly status = 503;
  constructor() {
    super("The identity provider's signing keys could not be fetched; retry shortly");
    this.extensions.retryAfter = 1;
  }
}
