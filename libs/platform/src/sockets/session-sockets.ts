import { Injectable, type OnModuleInit } from '@nestjs/common';
import { RevokedSessions, type EndedSessions } from '../auth/revoked-sessions';
import { sessionRoom, userRoom } from './rooms';
import { SocketServer } from './socket-server';

/**
 * Closes the sockets of ended sessions (logout, password change, a reused refresh token) and of
 * disabled users, in every namespace. The process that ends a session disconnects them on every
 * node through the adapter, at once; every node also closes its own when its revocation poll
 * learns of a session ended elsewhere, which covers a socket that connected there with the
 * session's token before that node knew, and a disconnect lost while Redis was away. The
 * client sees `disconnect` with reason `io server disconnect` and does not reconnect by itself.
 */
@Injectable()
export class SessionSockets implements OnModuleInit {
  constructor(
    private readonly revoked: RevokedSessions,
    private readonly server: SocketServer,
  ) {}

  onModuleInit(): void {
    this.revoked.onEnded((ended) => this.disconnect(ended));
  }

  private disconnect({ sessionIds, userId, here }: EndedSessions): void {
    const rooms = sessionIds.map(sessionRoom);
    if (userId) {
      rooms.push(userRoom(userId));
    }
    for (const namespace of this.server.io._nsps.values()) {
      // This node's at once, Redis or not; the adapter only publishes a disconnect request, which
      // reaches the other nodes (and comes back here to find none).
      namespace.local.in(rooms).disconnectSockets();
      if (here) {
        namespace.in(rooms).disconnectSockets();
      }
    }
  }
}
