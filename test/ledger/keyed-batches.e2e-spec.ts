import { type TransferInput } from '@bourse/ledger';
import { Database, IdempotentResponse, rows, type IdempotentRequest } from '@bourse/platform';
import type { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { randomUUID } from 'node:crypto';
import { LedgerFactory, startLedger, usdTransfer, type LedgerServices } from '../factories/ledger';
import { testConfig } from '../setup/apps';
import { holdOpen, keyLockSeen, lockWaitSeen } from '../setup/locks';

/**
 * Keyed transfers (the HTTP route's, with an Idempotency-Key) that arrive while another is in
 * flight are posted together in one statement (ledger_post_transfers_keyed), each answered as if
 * it had come alone. One statement in flight here (LEDGER_KEYED_TRANSFERS_IN_FLIGHT=1).
 */
describe('keyed transfers posted together', () => {
  const scope = `user:${randomUUID()}`;
  let app: INestApplicationContext;
  let ledger: LedgerServices;
  let db: Database;
  let make: LedgerFactory;

  const callFor = (input: TransferInput, key = randomUUID()): IdempotentRequest => ({
    scope,
    key,
    method: 'POST',
    path: '/v1/ledger/transfers',
    requestHash: `hash of ${input.id}`,
    status: 201,
  });

  /** A keyed transfer's answer with a first answer unwrapped to its transfer; replays as they are. */
  const keyed = (input: TransferInput, call: IdempotentRequest) =>
    ledger.keyed
      .transferKeyed(input, call)
      .then((answer) =>
        answer instanceof IdempotentResponse && !answer.replayed ? answer.value : answer,
      );

  /** The transaction each transfer was written in (xmin): one for a batch. */
  const writtenIn = async (transfers: { id: string }[]) =>
    new Map(
      (
        await rows<{ id: string; xmin: string }>(
          db.manager,
          `SELECT id, xmin::text FROM ledger_transfers WHERE id = ANY ($1::uuid[])`,
          [transfers.map((t) => t.id)],
        )
      ).map((row) => [row.id, row.xmin]),
    );

  /**
   * Sends a keyed transfer that waits on a balance row the test holds, so it is the one statement
   * in flight; `queue` then runs (its calls wait for that one), and the row is released.
   */
  async function whileOneInFlight<T>(queue: () => T): Promise<T> {
    const blocked = await make.wallet({ balance: 10n });
    const release = await holdOpen(db, (tx) =>
      rows(tx, `SELECT 1 FROM ledger_balances WHERE account_id = $1 FOR UPDATE`, [blocked.id]),
    );
    const first = usdTransfer(blocked, await make.wallet(), 1n);
    const firstCall = callFor(first);
    const inFlight = keyed(first, firstCall);
    await keyLockSeen(db, scope, firstCall.key);
    const queued = queue();
    await release();
    await expect(inFlight).resolves.toMatchObject({ id: first.id });

    return queued;
  }

  beforeAll(async () => {
    ({ app, ledger, db } = await startLedger({ LEDGER_KEYED_TRANSFERS_IN_FLIGHT: '1' }));
    make = new LedgerFactory(ledger);
  });
  afterAll(() => app.close());

  it('answers each member of a batch as it would have been answered alone', async () => {
    const a = await make.wallet({ balance: 1000n });
    const b = await make.wallet({ balance: 100n });
    const c = await make.wallet();
    const house = await ledger.accounts.ensureSystemAccount('house', 'USD');
    const stored = usdTransfer(a, c, 1n);
    const storedCall = callFor(stored);
    await keyed(stored, storedCall);

    // Fields that travel as array elements: JSON that needs escaping, a hold with a timeout.
    const ok1 = usdTransfer(a, c, 10n, { metadata: { note: 'a "quoted" \\ {brace}, ü' } });
    const ok2 = usdTransfer(a, b, 20n);
    const poor = usdTransfer(b, c, 1000n);
    const ghost = usdTransfer(a, { id: randomUUID() }, 1n);
    const hot = usdTransfer(house, c, 5n);
    const hold = usdTransfer(b, c, 7n, { pending: true, timeoutSeconds: 600 });
    const sameId = { ...ok2 };
    const ok1Call = callFor(ok1);
    const members: [TransferInput, IdempotentRequest][] = [
      [ok1, ok1Call],
      [ok2, callFor(ok2)],
      [poor, callFor(poor)],
      [ghost, callFor(ghost)],
      [stored, storedCall],
      [usdTransfer(a, c, 2n), { ...storedCall, requestHash: 'another body' }],
      [ok1, ok1Call],
      [hot, callFor(hot)],
      [sameId, callFor(sameId)],
      [hold, callFor(hold)],
    ];

    const settled = await whileOneInFlight(() =>
      Promise.allSettled(members.map(([input, call]) => keyed(input, call))),
    );

    const [
      created1,
      created2,
      refused,
      missing,
      replayed,
      mismatched,
      repeated,
      alone,
      byId,
      held,
    ] = settled;
    expect(created1).toMatchObject({
      status: 'fulfilled',
      value: { id: ok1.id, amount: 10n, metadata: ok1.metadata },
    });
    expect(held).toMatchObject({
      status: 'fulfilled',
      value: { id: hold.id, status: 'pending', timeoutSeconds: 600 },
    });
    expect(created2).toMatchObject({ status: 'fulfilled', value: { id: ok2.id } });
    expect(refused).toMatchObject({
      status: 'rejected',
      reason: { code: 'ledger.insufficient_funds' },
    });
    expect(missing).toMatchObject({
      status: 'rejected',
      reason: { code: 'ledger.account_not_found' },
    });
    expect(mismatched).toMatchObject({
      status: 'rejected',
      reason: { code: 'idempotency.key_mismatch' },
    });
    // A key answered already, in an earlier call or earlier in the same batch: its stored response.
    for (const [replay, transfer] of [
      [replayed, stored],
      [repeated, ok1],
    ] as const) {
      expect(replay.status).toBe('fulfilled');
      const { value } = replay as PromiseFulfilledResult<IdempotentResponse>;
      expect(value).toBeInstanceOf(IdempotentResponse);
      expect(value.replayed).toBe(true);
      expect(value.response.status).toBe(201);
      expect(JSON.parse(value.response.body!)).toMatchObject({ id: transfer.id });
    }
    // A hot account's transfer is posted alone; a repeated id is answered by the ledger's own
    // idempotency, with the transfer as stored.
    expect(alone).toMatchObject({ status: 'fulfilled', value: { id: hot.id } });
    expect(byId).toMatchObject({ status: 'fulfilled', value: { id: ok2.id, amount: 20n } });

    const xmins = await writtenIn([ok1, ok2, hold, hot]);
    expect(xmins.get(ok1.id)).toBe(xmins.get(ok2.id));
    expect(xmins.get(hold.id)).toBe(xmins.get(ok1.id));
    expect(xmins.get(hot.id)).not.toBe(xmins.get(ok1.id));
    expect(await make.posted(a.id)).toBe(1000n - 1n - 10n - 20n);
    expect(await make.posted(b.id)).toBe(120n);
    expect(await make.available(b.id)).toBe(113n);
    expect(await make.posted(c.id)).toBe(1n + 10n + 5n);
    const keys = await rows<{ key: string }>(
      db.manager,
      `SELECT key FROM idempotency_keys WHERE scope = $1 AND key = ANY ($2::text[])`,
      [scope, members.map(([, call]) => call.key)],
    );
    // Stored: the earlier key, and each key that created its transfer (ok1, ok2, hot, hold).
    expect(keys.map((k) => k.key).sort()).toEqual(
      [
        storedCall.key,
        ok1Call.key,
        members[1]![1].key,
        members[7]![1].key,
        members[9]![1].key,
      ].sort(),
    );
    expect((await ledger.statements.verifyInvariants()).ok).toBe(true);
  });

  it('posts every member alone when the batch fails: a key stored without its lock refuses only its own', async () => {
    const from = await make.wallet({ balance: 100n });
    const to = await make.wallet();
    // The other transaction's accounts are not the batch's: it holds none of the batch's rows.
    const other = await make.wallet({ balance: 100n });
    const otherTo = await make.wallet();
    // Its id is being inserted by another transaction, so the batch waits on it after looking its
    // key up; meanwhile a writer that takes no lock stores that key, and the other transaction
    // rolls back.
    const claimed = usdTransfer(from, to, 30n);
    const fine = [usdTransfer(from, to, 1n), usdTransfer(from, to, 2n)];
    const claimedCall = callFor(claimed);
    const inserting = holdOpen(
      db,
      (tx) => ledger.transfers.transfer({ ...usdTransfer(other, otherTo, 1n), id: claimed.id }, tx),
      () => Promise.reject(new Error('rolled back by the test')),
    );
    const release = await inserting;

    const batch = Promise.allSettled([
      keyed(claimed, claimedCall),
      ...fine.map((input) => keyed(input, callFor(input))),
    ]);
    await lockWaitSeen(db, ['ledger_post_transfers_keyed']);
    await rows(
      db.manager,
      `INSERT INTO idempotency_keys (scope, key, method, path, request_hash, response_status, expires_at)
       VALUES ($1, $2, 'POST', $3, 'another request', 201, now() + interval '1 hour')`,
      [scope, claimedCall.key, claimedCall.path],
    );
    await expect(release()).rejects.toThrow('rolled back by the test');
    const [refused, ...posted] = await batch;

    // Posted alone, it finds the key stored for another request.
    expect(refused).toMatchObject({
      status: 'rejected',
      reason: { code: 'idempotency.key_mismatch' },
    });
    expect(await ledger.transfers.getTransfer(claimed.id)).toBeUndefined();
    posted.forEach((result, i) =>
      expect(result).toMatchObject({ status: 'fulfilled', value: { id: fine[i]!.id } }),
    );
    // Posted again one by one, after the batch rolled back: one transaction each.
    const xmins = await writtenIn(fine);
    expect(xmins.get(fine[0]!.id)).not.toBe(xmins.get(fine[1]!.id));
    expect(await make.posted(from.id)).toBe(97n);
    expect(await make.posted(other.id)).toBe(100n);
    expect((await ledger.statements.verifyInvariants()).ok).toBe(true);
  });

  it('posts every member alone when the batch deadlocks with a transaction inserting one of its ids', async () => {
    const [p, r] = [await make.wallet({ balance: 100n }), await make.wallet({ balance: 100n })];
    const [q, s, u] = [await make.wallet(), await make.wallet(), await make.wallet()];
    // The other transaction inserts transfer X (p -> q), then wants r's balance row, which the
    // batch locked before it tried to insert its own X (r -> s): each waits for the other.
    const taken = usdTransfer(p, q, 5n);
    const clashing = { ...usdTransfer(r, s, 7n), id: taken.id };
    const other = usdTransfer(r, u, 9n);
    const release = await holdOpen(
      db,
      (tx) => ledger.transfers.transfer(taken, tx),
      (tx) => ledger.transfers.transfer(usdTransfer(p, r, 1n), tx),
    );
    const batch = Promise.allSettled(
      [clashing, other].map((input) => keyed(input, callFor(input))),
    );
    await lockWaitSeen(db, ['ledger_post_transfers_keyed']);
    // Postgres ends one of the two after deadlock_timeout (1 s by default).
    const otherCommitted = await release().then(
      () => true,
      (error: unknown) => (expect(error).toMatchObject({ driverError: { code: '40P01' } }), false),
    );
    const [clashed, posted] = await batch;

    expect(posted).toMatchObject({ status: 'fulfilled', value: { id: other.id } });
    // Whichever was ended, nobody sees the deadlock: if the batch was, its members were posted
    // alone after the other transaction committed, and X is the other transaction's.
    expect(clashed).toMatchObject(
      otherCommitted
        ? { status: 'rejected', reason: { code: 'ledger.id_conflict' } }
        : { status: 'fulfilled', value: { id: taken.id, debitAccountId: r.id } },
    );
    expect((await ledger.statements.verifyInvariants()).ok).toBe(true);
  });

  it('looks keys up by index on a fresh connection even when the table was analyzed empty', async () => {
    // An empty idempotency_keys of this session only (a temporary table shadows the real one
    // for the functions' statements), analyzed while empty, as on a new deployment.
    const client = new Client({ connectionString: testConfig().database.url });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `CREATE TEMPORARY TABLE idempotency_keys (LIKE public.idempotency_keys INCLUDING ALL)
           ON COMMIT DROP`,
      );
      await client.query('ANALYZE idempotency_keys');
      const scans = async () => {
        const { rows: counted } = await client.query<{ seq: number; idx: number }>(
          `SELECT seq_scan::int AS seq, idx_scan::int AS idx FROM pg_stat_xact_all_tables
            WHERE relid = 'pg_temp.idempotency_keys'::regclass`,
        );

        return counted[0]!;
      };
      const before = await scans();
      // Past PL/pgSQL's five custom plans, into its cached generic one. Unknown accounts: each
      // call looks its key up, then is refused before writing anything.
      for (let i = 0; i < 8; i++) {
        const input = usdTransfer({ id: randomUUID() }, { id: randomUUID() }, 1n);
        const call = callFor(input);
        const { rows: answered } = await client.query<{ outcome: string }>(
          `SELECT outcome FROM ledger_post_transfer_keyed($1, $2, $3, $4, $5, 24, $6, $7, $8,
                                                        'USD', 1, 'test', '{}', false, NULL)`,
          [
            call.scope,
            call.key,
            call.method,
            call.path,
            call.requestHash,
            input.id,
            input.debitAccountId,
            input.creditAccountId,
          ],
        );
        expect(answered).toEqual([{ outcome: 'account_not_found' }]);
      }
      const after = await scans();
      expect({ seq: after.seq - before.seq, idx: after.idx - before.idx }).toEqual({
        seq: 0,
        idx: 8,
      });
    } finally {
      await client.query('ROLLBACK');
      await client.end();
    }
  });
});
