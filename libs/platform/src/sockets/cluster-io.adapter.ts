import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { ServerOptions } from 'socket.io';
import { SocketServer } from './socket-server';

type NestServer = ReturnType<IoAdapter['createIOServer']>;

/**
 * Nest's Socket.IO adapter serving the app's SocketServer (on the Redis adapter) instead of a
 * server of its own. Every gateway shares the api's HTTP port, so it is created once.
 */
export class ClusterIoAdapter extends IoAdapter {
  constructor(private readonly app: INestApplicationContext) {
    super(app);
  }

  override createIOServer(
    port: number,
    options?: Parameters<IoAdapter['createIOServer']>[1],
  ): NestServer {
    if (port !== 0) {
      throw new Error(`Gateways share the api's HTTP server; one asks for port ${port}`);
    }
    const server = this.app
      .get(SocketServer)
      .attach(this.httpServer, options as Partial<ServerOptions>);

    // Nest types its adapter against its own copy of socket.io (a patch release apart, same API).
    return server as unknown as NestServer;
  }
}
