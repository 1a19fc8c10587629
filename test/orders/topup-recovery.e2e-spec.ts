import { deleteRedisKeys } from '../setup/redis';
import { spawnWorker } from '../setup/worker';
import type { SignedInUser } from '../factories/users';
import { TopupHarness, waitFor } from './topup-harness';

// Each scenario submits orders and then counts the aggregator's create calls per order: one each.
const submissionsOf = (t: TopupHarness, orderIds: string[]) =>
  orderIds.map((id) => t.dtone.submissions.filter((submitted) => submitted === id).length);

describe('top-up recovery (worker killed, Redis wiped, two workers)', () => {
  const t = new TopupHarness('topup_recovery', {
    TOPUP_JOB_LOCK_MS: '2000',
    OUTBOX_RECONCILE_AFTER_MS: '1000',
    TOPUP_SWEEP_INTERVAL_SECONDS: '2',
    TOPUP_STUCK_AFTER_SECONDS: '3',
  });
  let consumer: SignedInUser;

  beforeAll(async () => {
    await t.start();
    consumer = await t.consumer(100_000n);
  }, 120_000);
  beforeEach(() => {
    t.dtone.callbacks = { copies: 1, lossRate: 0, beforeConfirmReturns: false };
    t.dtone.createAnswerDelayMs = 0;
    t.dtone.options.latencyMs = [20, 60];
  });
  afterEach(async () => {
    for (const worker of [...t.workers]) {
      await t.stopWorker(worker);
    }
    await t.dtone.settled();
    await t.expectBooksClean();
  });
  afterAll(() => t.stop());

  it('completes an order whose worker was killed mid-submit once a new worker starts, submitting it once', async () => {
    const child = await spawnWorker(t.env);
    // The create call is in flight (its job active, its lock held) when the process dies.
    t.dtone.createAnswerDelayMs = 10_000;
    const placed = await t.order(consumer.accessToken);
    await waitFor(async () => t.dtone.submissions.includes(placed.body.id), Boolean);
    await child.kill();
    const killedAt = Date.now();
    t.dtone.createAnswerDelayMs = 0;

    await t.startWorker();
    const delivered = await t.waitState(consumer.accessToken, placed.body.id, 'delivered');
    expect(Date.now() - killedAt).toBeLessThan(15_000);
    expect(delivered.events.map((e) => e.to)).toEqual([
      'created',
      'paid',
      'submitted',
      'delivered',
    ]);
    expect(submissionsOf(t, [placed.body.id])).toEqual([1]);
  });

  it('loses nothing when Redis is wiped mid-flow: the outbox and the sweeper put every step back', async () => {
    const worker = await t.startWorker();
    t.dtone.callbacks.lossRate = 1;
    t.dtone.options.latencyMs = [1500, 1500];
    const placed = [];
    for (let i = 0; i < 5; i += 1) {
      placed.push((await t.order(consumer.accessToken)).body.id);
    }
    await t.stopWorker(worker);
    const open = await t.query<{ state: string }>(
      `SELECT state FROM topup_orders WHERE id = ANY($1) AND state <> 'delivered'`,
      [placed],
    );
    expect(open.length).toBeGreaterThan(0);
    await deleteRedisKeys(`${t.redisPrefix}:*`);
    await t.startWorker();

    for (const id of placed) {
      await t.waitState(consumer.accessToken, id, 'delivered', 30_000);
    }
    expect(submissionsOf(t, placed)).toEqual([1, 1, 1, 1, 1]);
  });

  it('never submits an order twice with two worker replicas', async () => {
    await Promise.all([t.startWorker(), t.startWorker()]);
    const placed = await Promise.all(
      Array.from({ length: 10 }, async () => (await t.order(consumer.accessToken)).body.id),
    );
    for (const id of placed) {
      await t.waitState(consumer.accessToken, id, 'delivered');
    }
    expect(submissionsOf(t, placed)).toEqual(placed.map(() => 1));
  });
});
