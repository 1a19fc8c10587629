import { Injectable } from '@nestjs/common';
import type { Namespace } from 'socket.io';
import { userRoom } from './rooms';
import { SocketServer } from './socket-server';

/** Emits to one namespace's sockets on every api node. */
export class NamespaceEmitter {
  constructor(private readonly namespace: Namespace) {}

  /** Every socket of the user in this namespace. */
  toUser(userId: string, event: string, payload: unknown): void {
    this.toRoom(userRoom(userId), event, payload);
  }

  /** A room the namespace's gateway put sockets in (`chat:<id>`, `document:<id>`, say). */
  toRoom(room: string, event: string, payload: unknown): void {
    this.namespace.to(room).emit(event, payload);
  }

  toAll(event: string, payload: unknown): void {
    this.namespace.emit(event, payload);
  }
}

/**
 * What a lib injects to push to clients, in the api or the worker alike: an emit goes through the
 * Redis adapter, so it reaches the room's sockets on whichever api node holds them. At most once,
 * like all pub/sub: clients refetch what they must not miss after a reconnect.
 */
@Injectable()
export class SocketEmitter {
  constructor(private readonly server: SocketServer) {}

  namespace(name: string): NamespaceEmitter {
    return new NamespaceEmitter(this.server.io.of(name));
  }
}
