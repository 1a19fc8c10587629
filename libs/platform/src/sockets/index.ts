export { ClusterIoAdapter } from './cluster-io.adapter';
export { sessionRoom, userRoom } from './rooms';
export { NamespaceEmitter, SocketEmitter } from './socket-emitter';
export {
  SocketRateLimitedError,
  socketRefusal,
  TooManyConnectionsError,
  type SocketAck,
  type SocketError,
  type SocketRefusal,
} from './socket-errors';
export { SocketExceptionFilter } from './socket-exception.filter';
export { SocketGateways, type NamespaceOptions } from './socket-gateways';
export { SocketServer } from './socket-server';
export { SocketGatewaysModule, SocketsModule } from './sockets.module';
