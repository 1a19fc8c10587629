/**
 * Base of every error a lib throws on purpose. `code` is stable (`<lib>.<reason>`) so clients can
 * branch on it; `status` is the HTTP status the problem+json filter answers with.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;

  /** Extra members of the problem document (RFC 9457 extensions), e.g. the current state. */
  readonly extensions: Record<string, unknown> = {};

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
