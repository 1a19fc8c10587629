import type { ExtendedError } from 'socket.io';
import { DomainError } from '../errors/domain.error';
import type { SocketError, SocketRefusal } from './socket-ack';

export class TooManyConnectionsError extends DomainError {
  readonly code = 'socket.too_many_connections';
  readonly status = 429;

  constructor() {
    super('Too many connections from this address');
  }
}

export class SocketRateLimitedError extends DomainError {
  readonly code = 'socket.rate_limited';
  readonly status = 429;

  constructor(eventsPerSecond: number) {
    super(`More than ${eventsPerSecond} events per second on this connection`);
  }
}

/** A DomainError as the client may see it; anything else is an internal error, without detail. */
function describe(error: unknown): SocketError & { status: number } {
  return error instanceof DomainError
    ? { code: error.code, message: error.message, status: error.status }
    : { code: 'internal', message: 'Internal error', status: 500 };
}

/** The one mapping from an error to an ack: `{ ok: false, error: { code, message } }`. */
export function socketRefusal(error: unknown): SocketRefusal {
  const { code, message } = describe(error);

  return { ok: false, error: { code, message } };
}

/** A refused handshake: the client's `connect_error` carries `data: { code, status }`. */
export function handshakeError(error: unknown): ExtendedError {
  const { code, message, status } = describe(error);

  return Object.assign(new Error(message), { data: { code, status } });
}
