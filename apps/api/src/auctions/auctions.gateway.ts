import {
  AUCTIONS_NAMESPACE,
  AuctionsEvent,
  AuctionsService,
  auctionRoom,
  BidsService,
  isBidRefusal,
  parseBid,
  parseJoin,
  type AuctionsAppConfig,
  type AuctionsClientEvents,
  type AuctionsServerEvents,
  type BidAck,
  type JoinAck,
  type LeaveAck,
} from '@bourse/auctions';
import {
  APP_CONFIG,
  SocketExceptionFilter,
  SocketGateways,
  type Principal,
} from '@bourse/platform';
import { Inject, UseFilters } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayInit,
} from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';

type AuctionsSocket = Socket<AuctionsClientEvents, AuctionsServerEvents>;

/**
 * Live lots (protocol in libs/auctions/README.md): anyone joins a lot's room and gets its
 * snapshot; signed-in users bid through the same path as REST. Events reach the room on every
 * node through the Redis adapter.
 */
@UseFilters(SocketExceptionFilter)
@WebSocketGateway({ namespace: AUCTIONS_NAMESPACE, serveClient: false })
export class AuctionsGateway implements OnGatewayInit {
  constructor(
    private readonly auctions: AuctionsService,
    private readonly bids: BidsService,
    private readonly gateways: SocketGateways,
    @Inject(APP_CONFIG) private readonly config: AuctionsAppConfig,
  ) {}

  afterInit(namespace: Namespace<AuctionsClientEvents, AuctionsServerEvents>): void {
    this.gateways.setup(namespace, {
      auth: 'optional',
      maxConnectionsPerIp: this.config.auctions.maxConnectionsPerIp,
    });
  }

  // Joined before the snapshot is read: an event after the read is heard, one before is in it.
  @SubscribeMessage(AuctionsEvent.Join)
  async join(
    @ConnectedSocket() socket: AuctionsSocket,
    @MessageBody() payload: unknown,
  ): Promise<JoinAck> {
    const { auctionId } = parseJoin(payload);
    await socket.join(auctionRoom(auctionId));
    try {
      return { ok: true, snapshot: await this.auctions.snapshot(auctionId) };
    } catch (error) {
      await socket.leave(auctionRoom(auctionId));
      throw error;
    }
  }

  @SubscribeMessage(AuctionsEvent.Leave)
  async leave(
    @ConnectedSocket() socket: AuctionsSocket,
    @MessageBody() payload: unknown,
  ): Promise<LeaveAck> {
    await socket.leave(auctionRoom(parseJoin(payload).auctionId));

    return { ok: true };
  }

  /** A refusal carries the state to bid again on, as the REST problem does. */
  @SubscribeMessage(AuctionsEvent.Bid)
  async bid(
    @ConnectedSocket() socket: AuctionsSocket,
    @MessageBody() payload: unknown,
  ): Promise<BidAck> {
    const { auctionId, body } = parseBid(payload);
    const principal = (socket.data as { principal?: Principal }).principal;
    try {
      return { ok: true, bid: await this.bids.place(principal, auctionId, body) };
    } catch (error) {
      if (!isBidRefusal(error)) {
        throw error;
      }

      return {
        ok: false,
        error: { code: error.code, message: error.message },
        state: error.biddingState,
      };
    }
  }
}
