import { DomainError } from '@bourse/platform';

/** No such alert, or it is another user's: the same answer, so ids cannot be probed. */
export class AlertNotFoundError extends DomainError {
  readonly code = 'alerts.not_found';
  readonly status = 404;
  constructor(alertId: string) {
    super(`Alert ${alertId} does not exist`);
    this.extensions.alertId = alertId;
  }
}

/** The user already has as many active alerts as ALERTS_MAX_ACTIVE_PER_USER allows. */
export class AlertQuotaExceededError extends DomainError {
  readonly code = 'alerts.quota_exceeded';
  readonly status = 409;
  constructor(limit: number) {
    super(`At most ${limit} active alerts per user; delete or pause one first`);
    this.extensions.limit = limit;
  }
}

/** A rule whose fields do not fit together (a channel without bounds, a bar count too high…). */
export class InvalidAlertError extends DomainError {
  readonly code = 'alerts.invalid';
  readonly status = 422;
  constructor(detail: string, field: string) {
    super(detail);
    this.extensions.field = field;
  }
}

/** A rule's expiry that is already past. */
export class AlertExpiryPastError extends DomainError {
  readonly code = 'alerts.expiry_past';
  readonly status = 422;
  constructor() {
    super('expiresAt must be in the future');
    this.extensions.field = 'expiresAt';
  }
}
