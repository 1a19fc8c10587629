import { rows, type Tx } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import type {
  AcceptedBid,
  Auction,
  AuctionAt,
  AuctionOutcome,
  AuctionState,
  Bid,
  BidRequest,
  IncrementBand,
  Settlement,
} from './auctions.types';

interface AuctionRow {
  id: string;
  title: string;
  description: string;
  currency: string;
  seller_id: string | null;
  starting_price: string;
  reserve_price: string | null;
  increments: { from: string; step: string }[];
  extend_seconds: number;
  starts_at: Date;
  ends_at: Date;
  state: AuctionState;
  outcome: AuctionOutcome | null;
  highest: string | null;
  leader_id: string | null;
  leader_max: string | null;
  leader_bid_id: string | null;
  version: number;
  bid_count: number;
  images: string[];
  closed_at: Date | null;
  created_at: Date;
}

interface BidRow {
  id: string;
  auction_id: string;
  bidder_id: string;
  client_bid_id: string;
  amount: string;
  max_amount: string;
  leads: boolean;
  price_after: string;
  leader_after: string;
  ends_at_after: Date;
  version_after: number;
  created_at: Date;
}

const big = (v: string | null): bigint | undefined => (v === null ? undefined : BigInt(v));

const toAuction = (r: AuctionRow): Auction => ({
  id: r.id,
  title: r.title,
  description: r.description,
  currency: r.currency,
  sellerId: r.seller_id ?? undefined,
  startingPrice: BigInt(r.starting_price),
  reservePrice: big(r.reserve_price),
  increments: r.increments.map((b) => ({ from: BigInt(b.from), step: BigInt(b.step) })),
  extendSeconds: r.extend_seconds,
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  state: r.state,
  outcome: r.outcome ?? undefined,
  highest: big(r.highest),
  leaderId: r.leader_id ?? undefined,
  leaderMax: big(r.leader_max),
  leaderBidId: r.leader_bid_id ?? undefined,
  version: r.version,
  bidCount: r.bid_count,
  images: r.images,
  closedAt: r.closed_at ?? undefined,
  createdAt: r.created_at,
});

const toBid = (r: BidRow): Bid => ({
  id: r.id,
  auctionId: r.auction_id,
  bidderId: r.bidder_id,
  clientBidId: r.client_bid_id,
  amount: BigInt(r.amount),
  maxAmount: BigInt(r.max_amount),
  leading: r.leads,
  priceAfter: BigInt(r.price_after),
  leaderAfter: r.leader_after,
  endsAtAfter: r.ends_at_after,
  versionAfter: r.version_after,
  createdAt: r.created_at,
});

const bandsJson = (bands: readonly IncrementBand[]): string =>
  JSON.stringify(bands.map((b) => ({ from: b.from.toString(), step: b.step.toString() })));

export interface NewAuction {
  id: string;
  title: string;
  description: string;
  currency: string;
  sellerId?: string;
  startingPrice: bigint;
  reservePrice?: bigint;
  increments: readonly IncrementBand[];
  extendSeconds: number;
  startsAt: Date;
  /** First close: `startsAt` plus this, then the timer rule moves it. */
  durationSeconds: number;
}

@Injectable()
export class AuctionRepository {
  async insert(tx: Tx, a: NewAuction): Promise<Auction> {
    const [row] = await rows<AuctionRow>(
      tx,
      `INSERT INTO auctions (id, title, description, currency, seller_id, starting_price,
         reserve_price, increments, extend_seconds, starts_at, ends_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10::timestamptz, $10::timestamptz + make_interval(secs => $11))
       RETURNING *`,
      [
        a.id,
        a.title,
        a.description,
        a.currency,
        a.sellerId ?? null,
        a.startingPrice.toString(),
        a.reservePrice?.toString() ?? null,
        bandsJson(a.increments),
        a.extendSeconds,
        a.startsAt,
        a.durationSeconds,
      ],
    );

    return toAuction(row!);
  }

  async find(tx: Tx, id: string): Promise<AuctionAt | undefined> {
    const [row] = await rows<AuctionRow & { server_now: Date }>(
      tx,
      `SELECT *, clock_timestamp() AS server_now FROM auctions WHERE id = $1`,
      [id],
    );

    return row && { auction: toAuction(row), serverNow: row.server_now };
  }

  /** Lots by start, latest first, from before `(startsAt, id)` when given. */
  async page(
    tx: Tx,
    before: { startsAt: Date; id: string } | undefined,
    limit: number,
  ): Promise<{ auctions: Auction[]; serverNow: Date }> {
    const found = await rows<AuctionRow & { server_now: Date }>(
      tx,
      `SELECT *, clock_timestamp() AS server_now FROM auctions
       WHERE $1::timestamptz IS NULL OR (starts_at, id) < ($1, $2::uuid)
       ORDER BY starts_at DESC, id DESC LIMIT $3`,
      [before?.startsAt ?? null, before?.id ?? null, limit],
    );
    const [now] = found.length
      ? [found[0]!.server_now]
      : (await rows<{ now: Date }>(tx, `SELECT clock_timestamp() AS now`)).map((r) => r.now);

    return { auctions: found.map(toAuction), serverNow: now! };
  }

  /** The least amount the next bid may be: the starting price, or the price plus its step. */
  static minimumBid(a: Pick<Auction, 'highest' | 'startingPrice' | 'increments'>): bigint {
    if (a.highest === undefined) {
      return a.startingPrice;
    }
    const band = [...a.increments].reverse().find((b) => b.from <= a.highest!);

    return a.highest + band!.step;
  }

  /**
   * The bid decision, one statement at the database's clock: the bid is accepted only if the lot
   * is open (started, not past `ends_at`), the bidder's seen highest is still the highest and the
   * amount meets the increment. The conditions are those of the row lock itself: a bid already
   * stale when it arrives is refused without waiting for the lock, and one that waited is
   * re-checked against the row the winner committed. Proxy rule: the leader is whoever has
   * the higher maximum (the earlier on a tie); the price becomes the lower maximum plus one step,
   * capped at the higher maximum and never below the amount bid. Every accepted bid moves
   * `ends_at` to at least now + the lot's timer. No row: refused (the caller reads why).
   */
  async placeBid(tx: Tx, bidId: string, r: BidRequest): Promise<AcceptedBid | undefined> {
    const [row] = await rows<
      BidRow & {
        previous_ends_at: Date;
        previous_leader_id: string | null;
        previous_leader_bid_id: string | null;
        bid_count: number;
        currency: string;
        leader_max_after: string;
        minimum_after: string;
        server_now: Date;
      }
    >(
      tx,
      `WITH cur AS (
         SELECT * FROM auctions
         WHERE id = $1
           AND state IN ('scheduled', 'open')
           AND starts_at <= now() AND now() < ends_at
           AND highest IS NOT DISTINCT FROM $6::bigint
           AND $4 >= CASE WHEN highest IS NULL THEN starting_price
                          ELSE highest + auction_increment(increments, highest) END
         FOR UPDATE
       ), decided AS (
         SELECT cur.id,
           CASE WHEN cur.leader_id IS NULL OR cur.leader_id = $2 OR $5 > cur.leader_max
                THEN true ELSE false END AS leads,
           cur.ends_at AS previous_ends_at,
           cur.leader_id AS previous_leader_id,
           cur.leader_bid_id AS previous_leader_bid_id
         FROM cur
       ), updated AS (
         UPDATE auctions a SET
           state = 'open',
           highest = CASE
             WHEN a.leader_id IS NULL OR a.leader_id = $2 THEN $4
             WHEN $5 > a.leader_max THEN greatest($4::bigint,
               least($5::bigint, a.leader_max + auction_increment(a.increments, a.leader_max)))
             ELSE greatest($4::bigint, least(a.leader_max, $5 + auction_increment(a.increments, $5)))
           END,
           leader_max = CASE
             WHEN a.leader_id = $2 THEN greatest(a.leader_max, $5)
             WHEN d.leads THEN $5
             ELSE a.leader_max
           END,
           leader_id = CASE WHEN d.leads THEN $2::uuid ELSE a.leader_id END,
           leader_bid_id = CASE WHEN d.leads THEN $7::uuid ELSE a.leader_bid_id END,
           ends_at = greatest(a.ends_at, now() + make_interval(secs => a.extend_seconds)),
           version = a.version + 1,
           bid_count = a.bid_count + 1
         FROM decided d
         WHERE a.id = d.id
         RETURNING a.*, d.leads, d.previous_ends_at, d.previous_leader_id, d.previous_leader_bid_id
       ), bid AS (
         INSERT INTO auction_bids (id, auction_id, bidder_id, client_bid_id, amount, max_amount,
           leads, price_after, leader_after, ends_at_after, version_after, created_at)
         SELECT $7, u.id, $2, $3, $4, $5, u.leads, u.highest, u.leader_id, u.ends_at, u.version, now()
         FROM updated u
         RETURNING *
       )
       SELECT bid.*, u.previous_ends_at, u.previous_leader_id, u.previous_leader_bid_id,
         u.bid_count, u.currency, u.leader_max AS leader_max_after,
         u.highest + auction_increment(u.increments, u.highest) AS minimum_after, clock_timestamp() AS server_now
       FROM bid, updated u`,
      [
        r.auctionId,
        r.bidderId,
        r.clientBidId,
        r.amount.toString(),
        r.maxAmount.toString(),
        r.seenHighest?.toString() ?? null,
        bidId,
      ],
    );

    return (
      row && {
        bid: toBid(row),
        previousEndsAt: row.previous_ends_at,
        previousLeaderId: row.previous_leader_id ?? undefined,
        previousLeaderBidId: row.previous_leader_bid_id ?? undefined,
        bidCount: row.bid_count,
        currency: row.currency,
        leaderMaxAfter: BigInt(row.leader_max_after),
        minimumAfter: BigInt(row.minimum_after),
        serverNow: row.server_now,
      }
    );
  }

  async findBid(
    tx: Tx,
    auctionId: string,
    bidderId: string,
    clientBidId: string,
  ): Promise<Bid | undefined> {
    const [row] = await rows<BidRow>(
      tx,
      `SELECT * FROM auction_bids WHERE auction_id = $1 AND bidder_id = $2 AND client_bid_id = $3`,
      [auctionId, bidderId, clientBidId],
    );

    return row && toBid(row);
  }

  /**
   * Marks the lot started (once: `start_notified_at`), opening it if it was scheduled. Undefined
   * when it already was, has not reached its start, or is over.
   */
  async markStarted(tx: Tx, id: string): Promise<Auction | undefined> {
    const [row] = await rows<AuctionRow>(
      tx,
      `UPDATE auctions SET state = 'open', start_notified_at = now()
       WHERE id = $1 AND start_notified_at IS NULL AND starts_at <= now()
         AND state IN ('scheduled', 'open')
       RETURNING *`,
      [id],
    );

    return row && toAuction(row);
  }

  /**
   * Closes the lot if it is still biddable and its end has passed at the database's clock: once,
   * whoever asks (the row lock and the state condition). Sold when the leader's maximum meets
   * the reserve, at the price or the reserve, whichever is higher.
   */
  async close(tx: Tx, id: string): Promise<Auction | undefined> {
    const [row] = await rows<AuctionRow>(
      tx,
      `WITH cur AS (SELECT * FROM auctions WHERE id = $1 FOR UPDATE)
       UPDATE auctions a SET
         state = 'closed',
         outcome = CASE WHEN cur.leader_id IS NOT NULL
                         AND cur.leader_max >= coalesce(cur.reserve_price, 0)
                        THEN 'sold' ELSE 'unsold' END,
         highest = CASE WHEN cur.leader_id IS NOT NULL
                         AND cur.leader_max >= coalesce(cur.reserve_price, 0)
                        THEN greatest(cur.highest, coalesce(cur.reserve_price, 0))
                        ELSE cur.highest END,
         closed_at = now()
       FROM cur
       WHERE a.id = cur.id AND cur.state IN ('scheduled', 'open') AND cur.ends_at <= now()
       RETURNING a.*`,
      [id],
    );

    return row && toAuction(row);
  }

  async cancel(tx: Tx, id: string): Promise<Auction | undefined> {
    const [row] = await rows<AuctionRow>(
      tx,
      `UPDATE auctions SET state = 'cancelled', closed_at = now()
       WHERE id = $1 AND state IN ('scheduled', 'open')
       RETURNING *`,
      [id],
    );

    return row && toAuction(row);
  }

  async insertSettlement(tx: Tx, s: Settlement): Promise<void> {
    await rows(
      tx,
      `INSERT INTO auction_settlements (auction_id, outcome, winner_id, price, fee, hold_id)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        s.auctionId,
        s.outcome,
        s.winnerId ?? null,
        s.price?.toString() ?? null,
        s.fee?.toString() ?? null,
        s.holdId ?? null,
      ],
    );
  }

  async settlementCount(tx: Tx, auctionId: string): Promise<number> {
    const [row] = await rows<{ n: number }>(
      tx,
      `SELECT count(*)::int AS n FROM auction_settlements WHERE auction_id = $1`,
      [auctionId],
    );

    return row!.n;
  }

  async addImage(tx: Tx, id: string, uploadId: string): Promise<Auction | undefined> {
    const [row] = await rows<AuctionRow>(
      tx,
      `UPDATE auctions SET images = CASE WHEN $2 = ANY (images) THEN images
                                         ELSE images || $2::uuid END
       WHERE id = $1 RETURNING *`,
      [id, uploadId],
    );

    return row && toAuction(row);
  }

  /** True when the user was not watching yet. */
  async watch(tx: Tx, auctionId: string, userId: string): Promise<boolean> {
    const inserted = await rows(
      tx,
      `INSERT INTO auction_watchers (auction_id, user_id) VALUES ($1, $2)
       ON CONFLICT DO NOTHING RETURNING user_id`,
      [auctionId, userId],
    );

    return inserted.length > 0;
  }

  async watchers(tx: Tx, auctionId: string): Promise<string[]> {
    return (
      await rows<{ user_id: string }>(
        tx,
        `SELECT user_id FROM auction_watchers WHERE auction_id = $1 ORDER BY created_at, user_id`,
        [auctionId],
      )
    ).map((r) => r.user_id);
  }

  /** Lots whose start passed without their start being handled (the sweeper's backstop). */
  async dueToStart(tx: Tx, limit: number): Promise<string[]> {
    return (
      await rows<{ id: string }>(
        tx,
        `SELECT id FROM auctions
         WHERE start_notified_at IS NULL AND state IN ('scheduled', 'open') AND starts_at <= now()
         ORDER BY starts_at LIMIT $1`,
        [limit],
      )
    ).map((r) => r.id);
  }

  async dueToClose(tx: Tx, limit: number): Promise<string[]> {
    return (
      await rows<{ id: string }>(
        tx,
        `SELECT id FROM auctions
         WHERE state IN ('scheduled', 'open') AND ends_at <= now()
         ORDER BY ends_at LIMIT $1`,
        [limit],
      )
    ).map((r) => r.id);
  }
}
