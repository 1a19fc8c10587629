import { AMOUNT_PATTERN } from '@bourse/ledger';
import { InvalidAuctionError } from './auctions.errors';
import type { BidPayload, JoinPayload } from './auctions.events';
import { CLIENT_BID_ID_PATTERN, type PlaceBidDto } from './dto/auction.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A socket `join`/`leave` payload, refused with the field at fault. */
export function parseJoin(payload: unknown): JoinPayload {
  if (
    !isObject(payload) ||
    typeof payload.auctionId !== 'string' ||
    !UUID.test(payload.auctionId)
  ) {
    throw new InvalidAuctionError('auctionId must be a UUID', 'auctionId');
  }

  return { auctionId: payload.auctionId };
}

/** A socket `bid` payload, checked as the REST body is (PlaceBidDto's rules). */
export function parseBid(payload: unknown): { auctionId: string; body: PlaceBidDto } {
  const { auctionId } = parseJoin(payload);
  const p = payload as Partial<Record<keyof BidPayload, unknown>>;
  const amount = (field: string, value: unknown): string => {
    if (typeof value !== 'string' || !AMOUNT_PATTERN.test(value)) {
      throw new InvalidAuctionError(`${field} must be minor units as a decimal string`, field);
    }

    return value;
  };
  if (typeof p.clientBidId !== 'string' || !CLIENT_BID_ID_PATTERN.test(p.clientBidId)) {
    throw new InvalidAuctionError(
      `clientBidId must match ${CLIENT_BID_ID_PATTERN.source}`,
      'clientBidId',
    );
  }

  return {
    auctionId,
    body: {
      amount: amount('amount', p.amount),
      ...(p.maxAmount !== undefined && { maxAmount: amount('maxAmount', p.maxAmount) }),
      seenHighest: p.seenHighest === null ? null : amount('seenHighest', p.seenHighest),
      clientBidId: p.clientBidId,
    },
  };
}
