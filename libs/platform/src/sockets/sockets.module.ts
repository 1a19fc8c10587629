import { Global, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { SessionSockets } from './session-sockets';
import { SocketEmitter } from './socket-emitter';
import { SocketGateways } from './socket-gateways';
import { SocketServer } from './socket-server';

/** The process's Socket.IO server on the Redis adapter and the SocketEmitter: api and worker. */
@Global()
@Module({
  providers: [SocketServer, SocketEmitter],
  exports: [SocketServer, SocketEmitter],
})
export class SocketsModule {}

/**
 * For the api's gateways: the toolkit (SocketGateways) and the closing of ended sessions' sockets.
 * Needs SocketsModule loaded, and the app served through ClusterIoAdapter.
 */
@Module({
  imports: [AuthModule],
  providers: [SocketGateways, SessionSockets],
  exports: [SocketGateways],
})
export class SocketGatewaysModule {}
