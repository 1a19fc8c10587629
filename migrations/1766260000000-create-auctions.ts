import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAuctions1766260000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    // libs/auctions: the increment for a visible price, from the auction's table of bands
    // [{ "from": "0", "step": "100" }, …] (ascending, the first from 0): the bid write and the
    // refusals compute the minimum next bid with it, inside the database.
    await q.query(`
      CREATE FUNCTION auction_increment(steps jsonb, price bigint) RETURNS bigint
      LANGUAGE sql IMMUTABLE STRICT AS $$
        SELECT (s ->> 'step')::bigint
        FROM jsonb_array_elements(steps) s
        WHERE (s ->> 'from')::bigint <= price
        ORDER BY (s ->> 'from')::bigint DESC
        LIMIT 1
      $$`);
    // One row per lot. highest/leader_id/leader_max/leader_bid_id are the live state the
    // conditional bid write moves (leader_max is the leader's secret proxy maximum, held in the
    // ledger by the hold whose id is leader_bid_id); version counts accepted bids.
    await q.query(`
      CREATE TABLE auctions (
        id                 uuid PRIMARY KEY,
        title              text NOT NULL,
        description        text NOT NULL,
        currency           text NOT NULL,
        seller_id          uuid,
        starting_price     bigint NOT NULL CHECK (starting_price > 0),
        reserve_price      bigint CHECK (reserve_price > 0),
        increments         jsonb NOT NULL,
        extend_seconds     integer NOT NULL CHECK (extend_seconds > 0),
        starts_at          timestamptz NOT NULL,
        ends_at            timestamptz NOT NULL,
        state              text NOT NULL DEFAULT 'scheduled'
                           CHECK (state IN ('scheduled', 'open', 'closed', 'cancelled')),
        outcome            text CHECK (outcome IN ('sold', 'unsold')),
        highest            bigint,
        leader_id          uuid,
        leader_max         bigint,
        leader_bid_id      uuid,
        version            integer NOT NULL DEFAULT 0,
        bid_count          integer NOT NULL DEFAULT 0,
        images             uuid[] NOT NULL DEFAULT '{}',
        start_notified_at  timestamptz,
        closed_at          timestamptz,
        created_at         timestamptz NOT NULL DEFAULT now(),
        CHECK (ends_at > starts_at),
        CHECK ((state = 'closed') = (outcome IS NOT NULL))
      )`);
    // The sweeper's two questions: lots due to open, lots due to close.
    await q.query(`
      CREATE INDEX auctions_due_close_idx ON auctions (ends_at)
      WHERE state IN ('scheduled', 'open')`);
    await q.query(`
      CREATE INDEX auctions_due_open_idx ON auctions (starts_at)
      WHERE start_notified_at IS NULL AND state IN ('scheduled', 'open')`);
    await q.query(`CREATE INDEX auctions_starts_idx ON auctions (starts_at DESC, id)`);
    // Accepted bids only (a refusal writes nothing). The client's bid id makes a retry answer
    // the stored bid instead of bidding twice.
    await q.query(`
      CREATE TABLE auction_bids (
        id             uuid PRIMARY KEY,
        auction_id     uuid NOT NULL REFERENCES auctions (id),
        bidder_id      uuid NOT NULL,
        client_bid_id  text NOT NULL,
        amount         bigint NOT NULL CHECK (amount > 0),
        max_amount     bigint NOT NULL CHECK (max_amount >= amount),
        leads          boolean NOT NULL,
        price_after    bigint NOT NULL,
        leader_after   uuid NOT NULL,
        ends_at_after  timestamptz NOT NULL,
        version_after  integer NOT NULL,
        created_at     timestamptz NOT NULL DEFAULT now(),
        UNIQUE (auction_id, bidder_id, client_bid_id)
      )`);
    await q.query(
      `CREATE INDEX auction_bids_auction_idx ON auction_bids (auction_id, version_after)`,
    );
    await q.query(`
      CREATE TABLE auction_watchers (
        auction_id  uuid NOT NULL REFERENCES auctions (id),
        user_id     uuid NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (auction_id, user_id)
      )`);
    // Exactly one per closed lot (the primary key), written with the close.
    await q.query(`
      CREATE TABLE auction_settlements (
        auction_id  uuid PRIMARY KEY REFERENCES auctions (id),
        outcome     text NOT NULL CHECK (outcome IN ('sold', 'unsold')),
        winner_id   uuid,
        price       bigint,
        fee         bigint,
        hold_id     uuid,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE auction_settlements`);
    await q.query(`DROP TABLE auction_watchers`);
    await q.query(`DROP TABLE auction_bids`);
    await q.query(`DROP TABLE auctions`);
    await q.query(`DROP FUNCTION auction_increment(jsonb, bigint)`);
  }
}
