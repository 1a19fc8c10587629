import {
  PRICES_NAMESPACE,
  PriceFanout,
  PricesEvent,
  type MarketAppConfig,
  type PricesAck,
  type PricesClientEvents,
  type PricesServerEvents,
} from '@bourse/market-data';
import { APP_CONFIG, SocketExceptionFilter, SocketGateways } from '@bourse/platform';
import { Inject, UseFilters } from '@nestjs/common';
import {
  Ack,
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';

/** A socket typed by the namespace's contract (libs/market-data, prices.events.ts). */
type PricesSocket = Socket<PricesClientEvents, PricesServerEvents>;

/**
 * Live prices over Socket.IO (protocol in libs/market-data/README.md, "Fan-out"). Public:
 * credentials are optional, bad ones are refused. Ping interval and timeout stay at Socket.IO's
 * defaults (25 s + 20 s), which the ingress read timeouts are set for.
 */
@UseFilters(SocketExceptionFilter)
@WebSocketGateway({ namespace: PRICES_NAMESPACE, serveClient: false })
export class PricesGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  constructor(
    private readonly fanout: PriceFanout,
    private readonly gateways: SocketGateways,
    @Inject(APP_CONFIG) private readonly config: MarketAppConfig,
  ) {}

  afterInit(namespace: Namespace<PricesClientEvents, PricesServerEvents>): void {
    this.gateways.setup(namespace, {
      auth: 'optional',
      maxConnectionsPerIp: this.config.market.maxConnectionsPerIp,
    });
    this.fanout.attach(namespace);
  }

  handleConnection(socket: PricesSocket): void {
    this.fanout.open(socket);
  }

  handleDisconnect(socket: PricesSocket): void {
    this.fanout.close(socket);
  }

  // The ack is sent by the fan-out itself: ticks held during the snapshot must follow it.
  @SubscribeMessage(PricesEvent.Subscribe)
  subscribe(
    @ConnectedSocket() socket: PricesSocket,
    @MessageBody() payload: unknown,
    @Ack() ack: ((reply: PricesAck<typeof PricesEvent.Subscribe>) => void) | undefined,
  ): Promise<void> {
    return this.fanout.subscribe(socket, payload, ack);
  }

  @SubscribeMessage(PricesEvent.Unsubscribe)
  unsubscribe(
    @ConnectedSocket() socket: PricesSocket,
    @MessageBody() payload: unknown,
  ): PricesAck<typeof PricesEvent.Unsubscribe> {
    return this.fanout.unsubscribe(socket, payload);
  }

  @SubscribeMessage(PricesEvent.SubscribeCandles)
  subscribeCandles(
    @ConnectedSocket() socket: PricesSocket,
    @MessageBody() payload: unknown,
  ): PricesAck<typeof PricesEvent.SubscribeCandles> {
    return this.fanout.subscribeCandles(socket, payload);
  }

  @SubscribeMessage(PricesEvent.UnsubscribeCandles)
  unsubscribeCandles(
    @ConnectedSocket() socket: PricesSocket,
    @MessageBody() payload: unknown,
  ): PricesAck<typeof PricesEvent.UnsubscribeCandles> {
    return this.fanout.unsubscribeCandles(socket, payload);
  }
}
