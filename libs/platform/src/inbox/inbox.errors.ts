import { DomainError } from '../errors/domain.error';

export class InvalidWebhookSignatureError extends DomainError {
  readonly code = 'inbox.invalid_signature';
  readonly status = 400;

  constructor(readonly provider: string) {
    super(`The ${provider} webhook signature does not match the request body`);
  }
}
