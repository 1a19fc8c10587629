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
