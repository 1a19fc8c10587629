import type { JsonSchemaOf, NamespaceDoc, SocketAck, SocketRefusal } from '@bourse/platform';
import {
  AUCTIONS_NAMESPACE,
  AuctionsEvent,
  type AuctionsClientEvents,
  type AuctionSnapshot,
  type AuctionsServerEvents,
  type BidAck,
  type BidAnswer,
  type BidEvent,
  type BidPayload,
  type BidRefusal,
  type ClosedEvent,
  type ExtendedEvent,
  type JoinAck,
  type JoinPayload,
} from './auctions.events';

// Each schema is checked against its type in auctions.events.ts (JsonSchemaOf): a renamed field
// fails to compile here until the document says the same.

const minor = (description: string) =>
  ({ type: 'string', pattern: '^[0-9]+$', description }) as const;
const time = (description: string) => ({ type: 'string', description }) as const;
const nullable = <S extends object>(schema: S, description: string) =>
  ({ oneOf: [schema, { type: 'null' }], description }) as const;
const id = (description: string) => ({ type: 'string', description }) as const;
const serverNow = time("The server's clock when this was read, ISO 8601: count down from it.");
const version = {
  type: 'integer',
  minimum: 0,
  description: 'Grows with every change of the lot.',
} as const;
const lotState = {
  type: 'string',
  enum: ['scheduled', 'open', 'closed', 'cancelled'],
} as const satisfies JsonSchemaOf<AuctionSnapshot['state']>;
const outcome = {
  oneOf: [
    { type: 'string', enum: ['sold'] },
    { type: 'string', enum: ['unsold'] },
    { type: 'null' },
  ],
  description: 'How a closed lot ended; null while it runs.',
} as const satisfies JsonSchemaOf<AuctionSnapshot['outcome']>;

const snapshot = {
  title: 'AuctionSnapshot',
  type: 'object',
  properties: {
    auctionId: id('The lot.'),
    state: lotState,
    outcome,
    highest: nullable(minor('Visible price, minor units.'), 'Null before the first bid.'),
    leaderId: nullable(id('The leading user.'), 'Null before the first bid.'),
    minimumBid: minor('The least amount the next bid may be, minor units.'),
    startsAt: time('Opening time, ISO 8601.'),
    endsAt: time('Closing time, ISO 8601 (moves later when a late bid extends it).'),
    version,
    bidCount: { type: 'integer', minimum: 0, description: 'Accepted bids.' },
    serverNow,
  },
  required: [
    'auctionId',
    'state',
    'outcome',
    'highest',
    'leaderId',
    'minimumBid',
    'startsAt',
    'endsAt',
    'version',
    'bidCount',
    'serverNow',
  ],
} as const satisfies JsonSchemaOf<AuctionSnapshot>;

const refusal = {
  type: 'object',
  properties: {
    ok: { const: false },
    error: {
      type: 'object',
      properties: {
        code: {
          type: 'string',
          examples: ['auctions.not_found', 'auctions.invalid', 'socket.rate_limited'],
        },
        message: { type: 'string' },
      },
      required: ['code', 'message'],
    },
  },
  required: ['ok', 'error'],
} as const satisfies JsonSchemaOf<SocketRefusal>;

const joinPayload = {
  title: 'JoinRequest',
  type: 'object',
  properties: { auctionId: id('The lot.') },
  required: ['auctionId'],
} as const satisfies JsonSchemaOf<JoinPayload>;

const joinAck = {
  oneOf: [
    {
      type: 'object',
      properties: { ok: { const: true }, snapshot },
      required: ['ok', 'snapshot'],
    },
    refusal,
  ],
} as const satisfies JsonSchemaOf<JoinAck>;

const leaveAck = {
  oneOf: [{ type: 'object', properties: { ok: { const: true } }, required: ['ok'] }, refusal],
} as const satisfies JsonSchemaOf<SocketAck>;

const bidPayload = {
  title: 'BidRequest',
  type: 'object',
  properties: {
    auctionId: id('The lot.'),
    amount: minor('The bid, minor units.'),
    maxAmount: minor('A secret proxy maximum (>= amount), minor units; omitted: the amount.'),
    seenHighest: nullable(minor('The highest the bidder saw.'), 'Null: none yet.'),
    clientBidId: id("The client's id for this bid: a retry with it answers the same bid."),
  },
  required: ['auctionId', 'amount', 'seenHighest', 'clientBidId'],
} as const satisfies JsonSchemaOf<BidPayload>;

const bidAnswer = {
  title: 'BidAnswer',
  type: 'object',
  properties: {
    bidId: id('The accepted bid.'),
    clientBidId: id("The client's id for it."),
    auctionId: id('The lot.'),
    amount: minor('The bid, minor units.'),
    maxAmount: minor('Its proxy maximum, minor units.'),
    leading: {
      type: 'boolean',
      description: "False when the leader's proxy maximum outbid it at once.",
    },
    highest: minor('Visible price after it, minor units.'),
    leaderId: id('The leading user after it.'),
    endsAt: time('Closing time after it, ISO 8601.'),
    version,
    acceptedAt: time('When it was accepted, ISO 8601.'),
  },
  required: [
    'bidId',
    'clientBidId',
    'auctionId',
    'amount',
    'maxAmount',
    'leading',
    'highest',
    'leaderId',
    'endsAt',
    'version',
    'acceptedAt',
  ],
} as const satisfies JsonSchemaOf<BidAnswer>;

const bidRefusal = {
  type: 'object',
  properties: {
    ok: { const: false },
    error: refusal.properties.error,
    state: {
      type: 'object',
      description: 'The state to bid again on (race lost, too low, not open, closed).',
      properties: {
        auctionId: id('The lot.'),
        state: lotState,
        highest: snapshot.properties.highest,
        leaderId: snapshot.properties.leaderId,
        minimumBid: snapshot.properties.minimumBid,
        endsAt: snapshot.properties.endsAt,
        version,
        serverNow,
      },
      required: [
        'auctionId',
        'state',
        'highest',
        'leaderId',
        'minimumBid',
        'endsAt',
        'version',
        'serverNow',
      ],
    },
  },
  required: ['ok', 'error'],
} as const satisfies JsonSchemaOf<BidRefusal>;

const bidAck = {
  oneOf: [
    {
      type: 'object',
      properties: { ok: { const: true }, bid: bidAnswer },
      required: ['ok', 'bid'],
    },
    bidRefusal,
  ],
} as const satisfies JsonSchemaOf<BidAck>;

const bidEvent = {
  title: 'BidEvent',
  type: 'object',
  properties: {
    auctionId: id('The lot.'),
    highest: minor('Visible price, minor units.'),
    leaderId: id('The leading user.'),
    minimumBid: minor('The least amount the next bid may be, minor units.'),
    endsAt: time('Closing time, ISO 8601.'),
    version,
    bidCount: { type: 'integer', minimum: 1, description: 'Accepted bids.' },
    acceptedAt: time('When the bid was accepted, ISO 8601.'),
    serverNow,
  },
  required: [
    'auctionId',
    'highest',
    'leaderId',
    'minimumBid',
    'endsAt',
    'version',
    'bidCount',
    'acceptedAt',
    'serverNow',
  ],
} as const satisfies JsonSchemaOf<BidEvent>;

const extendedEvent = {
  title: 'ExtendedEvent',
  type: 'object',
  properties: {
    auctionId: id('The lot.'),
    endsAt: time('The new closing time, ISO 8601.'),
    version,
    serverNow,
  },
  required: ['auctionId', 'endsAt', 'version', 'serverNow'],
} as const satisfies JsonSchemaOf<ExtendedEvent>;

const closedEvent = {
  title: 'ClosedEvent',
  type: 'object',
  properties: {
    auctionId: id('The lot.'),
    state: { type: 'string', enum: ['closed', 'cancelled'] },
    outcome,
    price: nullable(minor('The hammer price, minor units.'), 'Null unless sold.'),
    winnerId: nullable(id('The winner.'), 'Null unless sold.'),
    serverNow,
  },
  required: ['auctionId', 'state', 'outcome', 'price', 'winnerId', 'serverNow'],
} as const satisfies JsonSchemaOf<ClosedEvent>;

const CLIENT_EVENTS: {
  [E in keyof AuctionsClientEvents]: { summary: string; payload: object; ack: object };
} = {
  [AuctionsEvent.Join]: {
    summary:
      "Join the lot's room (anyone). The ack holds its snapshot at the server's clock; events " +
      'after it are newer (compare `version`).',
    payload: joinPayload,
    ack: joinAck,
  },
  [AuctionsEvent.Leave]: {
    summary: "Leave the lot's room.",
    payload: joinPayload,
    ack: leaveAck,
  },
  [AuctionsEvent.Bid]: {
    summary:
      'Bid (signed-in users only; the same path as `POST /v1/auctions/{id}/bids`). Retry with ' +
      'the same `clientBidId`. A refusal carries the state to bid again on.',
    payload: bidPayload,
    ack: bidAck,
  },
};

const SERVER_EVENTS: {
  [E in keyof AuctionsServerEvents]: { summary: string; payload: object };
} = {
  [AuctionsEvent.Bid]: { summary: 'A bid was accepted on a joined lot.', payload: bidEvent },
  [AuctionsEvent.Extended]: {
    summary: "A late bid moved a joined lot's end later.",
    payload: extendedEvent,
  },
  [AuctionsEvent.Closed]: {
    summary: 'A joined lot closed or was cancelled.',
    payload: closedEvent,
  },
};

/** The `/auctions` namespace for the AsyncAPI document. */
export const AUCTIONS_ASYNCAPI: NamespaceDoc = {
  key: 'auctions',
  address: AUCTIONS_NAMESPACE,
  description:
    'Live lots: a room per lot, joined with `join`; `bid`, `extended` and `closed` reach it on ' +
    'every api node. Anonymous clients may watch; `auth: {token}` is needed to bid. Every ' +
    'client event takes an ack (a reply here); a malformed one is refused ' +
    '`{ok: false, error}`. Contract: libs/auctions auctions.events.ts.',
  clientEvents: CLIENT_EVENTS,
  serverEvents: SERVER_EVENTS,
};
