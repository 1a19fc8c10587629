import { DomainError } from '@bourse/platform';

/** No such endpoint or delivery, or the caller's key does not own it (the same answer). */
export class WebhookNotFoundError extends DomainError {
  readonly code = 'notifications.webhook_not_found';
  readonly status = 404;
  constructor(kind: 'endpoint' | 'delivery', id: string) {
    super(`Webhook ${kind} ${id} does not exist`);
    this.extensions[`${kind}Id`] = id;
  }
}

export class InvalidWindowError extends DomainError {
  readonly code = 'notifications.invalid_window';
  readonly status = 422;
  constructor() {
    super('`until` must be after `since`');
    this.extensions.field = 'until';
  }
}
