import { DomainError } from '@bourse/platform';

/** No such notification in the caller's inbox: the same answer for another user's. */
export class NotificationNotFoundError extends DomainError {
  readonly code = 'notifications.not_found';
  readonly status = 404;
  constructor(notificationId: string) {
    super(`Notification ${notificationId} does not exist`);
    this.extensions.notificationId = notificationId;
  }
}

/** A lib sent a notification of a malformed type or to nobody (a programming error). */
export class InvalidNotificationError extends DomainError {
  readonly code = 'notifications.invalid';
  readonly status = 422;
  constructor(detail: string, field: string) {
    super(detail);
    this.extensions.field = field;
  }
}

/** Two libs registered an e-mail template for the same notification type. */
export class DuplicateTemplateError extends DomainError {
  readonly code = 'notifications.duplicate_template';
  readonly status = 500;
  constructor(type: string) {
    super(`An e-mail template for ${type} is registered twice`);
  }
}

/** SMS chosen for a user who gave no phone number (in the preferences). */
export class PhoneRequiredError extends DomainError {
  readonly code = 'notifications.phone_required';
  readonly status = 422;
  constructor(field: string) {
    super('SMS needs a phone number: set `phone` in the notification preferences');
    this.extensions.field = field;
  }
}
