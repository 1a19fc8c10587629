import type { ExtendedError, Socket } from 'socket.io';
import { handshakeError } from '../sockets/socket-errors';
import { UnauthenticatedError } from './auth.errors';
import type { AuthService } from './auth.service';
import type { Principal } from './principal';

/** The part of a Socket.IO socket the middleware reads and writes, whatever its event maps. */
export interface AuthenticatedSocket {
  handshake: Socket['handshake'];
  data: { principal?: Principal };
}

export type SocketMiddleware = (
  socket: AuthenticatedSocket,
  next: (error?: ExtendedError) => void,
) => void;

/** `auth: { token }` may be a bare access token or carry its scheme (`ApiKey <key>`). */
function authorizationOf(handshake: Socket['handshake']): string | undefined {
  const token: unknown = (handshake.auth as { token?: unknown } | undefined)?.token;
  if (typeof token === 'string' && token) {
    return /^(bearer|apikey)\s/i.test(token) ? token : `Bearer ${token}`;
  }

  return handshake.headers.authorization;
}

/**
 * Authenticates a Socket.IO handshake with the same tokens as HTTP (`auth.token` or the
 * `authorization` header) and sets `socket.data.principal`. A rejected client receives a
 * `connect_error` whose `data` is `{ code, status }`, e.g. `auth.token_expired`. With
 * `required: false` a client without credentials connects anonymously; bad credentials are still
 * refused. Checked once per connection: the socket outlives its access token's expiry, not its
 * session (SessionSockets closes it when the session ends).
 */
export function socketAuthMiddleware(
  auth: AuthService,
  options: { required: boolean },
): SocketMiddleware {
  return (socket, next) => {
    auth.authenticate(authorizationOf(socket.handshake)).then(
      (principal) => {
        if (!principal && options.required) {
          return next(handshakeError(new UnauthenticatedError()));
        }
        socket.data.principal = principal;
        next();
      },
      (error: unknown) => next(handshakeError(error)),
    );
  };
}
