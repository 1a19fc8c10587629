export { ClusterIoAdapter } from './cluster-io.adapter';
export { sessionRoom, userRoom } from './rooms';
export { NamespaceEmitter, SocketEmitter } from './socket-emitter';
export type { SocketAck, SocketError, SocketRefusal } from './socket-ack';
export { SocketRateLimitedError, socketRefusal, TooManyConnectionsError } from './socket-errors';
export { SocketExceptionFilter } from './socket-exception.filter';
export { SocketGateways, type NamespaceOptions } from './socket-gateways';
export { SocketServer } from './socket-server';
export { SocketGatewaysModule, SocketsModule } from './sockets.module';
export {
  namespaceChannel,
  type ClientEventDoc,
  type NamespaceDoc,
  type ServerEventDoc,
} from './asyncapi';
export type { JsonSchemaOf } from './json-schema';
