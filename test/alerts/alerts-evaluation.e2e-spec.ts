import { AlertEvaluator } from '@bourse/alerts';
import { MarketChannels } from '@bourse/market-data';
import { REDIS, type Env } from '@bourse/platform';
import type Redis from 'ioredis';
import { signedInUser, type SignedInUser } from '../factories/users';
import { alertsEnvironment, TickTape, waitFor } from '../factories/alerts';
import { startApi, type TestServer } from '../setup/apps';
import { startWorker } from '../setup/worker';

interface FiredEvent {
  seq: number;
  alertId: string;
  symbol: string;
  operator: string;
  price: string;
  triggeredAt: string;
}

describe('price alerts: operators, frequencies and evaluators', () => {
  let drop: () => Promise<void>;
  let env: Env;
  let api: TestServer;
  let worker: TestServer;
  const tape = new TickTape();

  beforeAll(async () => {
    ({ env, drop } = await alertsEnvironment('alerts_eval'));
    api = await startApi(env);
    worker = await startWorker(env);
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await drop?.();
  });

  const create = async (user: SignedInUser, body: Record<string, unknown>) => {
    const res = await api.request('POST', '/v1/alerts', { token: user.accessToken, body });
    expect(res.status).toBe(201);
    // The evaluator learns of a new rule over Redis, or at its refresh: here, at once.
    await worker.app.get(AlertEvaluator).refresh();

    return res.body as { id: string; status: string };
  };
  const events = async (user: SignedInUser): Promise<FiredEvent[]> =>
    (await api.request('GET', '/v1/alerts/events?after=0', { token: user.accessToken })).body
      .events;
  const firedPrices = async (user: SignedInUser, alertId?: string) =>
    (await events(user)).filter((e) => !alertId || e.alertId === alertId).map((e) => e.price);
  /** Sets the symbol's price before a scenario, so its first comparison is the one scripted. */
  const priceAt = (symbol: string, price: string) => tape.play(worker, symbol, [price]);

  it('fires a crossing only once the price crosses, not when created past the level, and once', async () => {
    const user = await signedInUser(api);
    await priceAt('XAUUSD', '2500.00');
    const alert = await create(user, {
      symbol: 'XAUUSD',
      operator: 'crossing_up',
      value: '2400.00',
    });
    // Already above the level: no crossing; then it goes under and comes back over.
    await tape.play(worker, 'XAUUSD', [
      '2510.00',
      '2450.00',
      '2390.00',
      '2410.00',
      '2380.00',
      '2420.00',
    ]);

    const fired = await events(user);
    expect(fired).toEqual([
      {
        id: expect.any(String),
        seq: 1,
        alertId: alert.id,
        symbol: 'XAUUSD',
        operator: 'crossing_up',
        price: '2410.00',
        triggeredAt: expect.any(String),
        firedAt: expect.any(String),
      },
    ]);
    const after = await api.request('GET', `/v1/alerts/${alert.id}`, { token: user.accessToken });
    expect(after.body).toMatchObject({ status: 'fired', fireCount: 1 });
  });

  it('needs one sample after creation: a crossing between the last tick before it and the next does not count', async () => {
    const user = await signedInUser(api);
    await priceAt('XAGUSD', '30.000');
    const alert = await create(user, { symbol: 'XAGUSD', operator: 'crossing', value: '31.000' });
    await tape.play(worker, 'XAGUSD', ['31.500', '31.200', '30.900']);

    expect(await firedPrices(user, alert.id)).toEqual(['30.900']);
  });

  it('crossing_down and crossing fire every time with every_time and no interval', async () => {
    const user = await signedInUser(api);
    await priceAt('XPTUSD', '1000.00');
    const down = await create(user, {
      symbol: 'XPTUSD',
      operator: 'crossing_down',
      value: '990.00',
      frequency: 'every_time',
      minIntervalSeconds: 0,
    });
    const both = await create(user, {
      symbol: 'XPTUSD',
      operator: 'crossing',
      value: '990.00',
      frequency: 'every_time',
      minIntervalSeconds: 0,
    });
    await tape.play(worker, 'XPTUSD', ['995.00', '990.00', '991.00', '985.00', '990.00', '989.99']);

    // Reaching the level crosses it; leaving it again from the level is no new crossing.
    expect(await firedPrices(user, down.id)).toEqual(['990.00', '985.00']);
    expect(await firedPrices(user, both.id)).toEqual(['990.00', '985.00', '990.00']);
  });

  it('state operators fire on the next tick while true, once per bar with once_per_bar', async () => {
    const user = await signedInUser(api);
    await priceAt('BTCUSD', '95000.00');
    const above = await create(user, {
      symbol: 'BTCUSD',
      operator: 'greater_than',
      value: '94000.00',
      frequency: 'once_per_bar',
      timeframe: '1m',
    });
    const below = await create(user, {
      symbol: 'BTCUSD',
      operator: 'less_than',
      value: '94000.00',
      frequency: 'once_per_bar',
      timeframe: '1m',
    });
    tape.nextMinute();
    await tape.play(worker, 'BTCUSD', ['95100.00', '95200.00', '93000.00', '95300.00']);
    tape.nextMinute();
    await tape.play(worker, 'BTCUSD', ['95400.00', '95500.00']);

    // Already true when created: fires on the first tick, once in that bar and once in the next.
    expect(await firedPrices(user, above.id)).toEqual(['95100.00', '95400.00']);
    expect(await firedPrices(user, below.id)).toEqual(['93000.00']);
  });

  it('channel operators: entering, exiting, inside and outside', async () => {
    const user = await signedInUser(api);
    await priceAt('EURUSD', '1.08000');
    const channel = {
      lower: '1.09000',
      upper: '1.10000',
      frequency: 'every_time',
      minIntervalSeconds: 0,
    };
    const entering = await create(user, {
      symbol: 'EURUSD',
      operator: 'entering_channel',
      ...channel,
    });
    const exiting = await create(user, {
      symbol: 'EURUSD',
      operator: 'exiting_channel',
      ...channel,
    });
    const inside = await create(user, { symbol: 'EURUSD', operator: 'inside_channel', ...channel });
    const outside = await create(user, {
      symbol: 'EURUSD',
      operator: 'outside_channel',
      ...channel,
    });
    await tape.play(worker, 'EURUSD', ['1.08500', '1.09000', '1.09500', '1.11000', '1.10000']);

    expect(await firedPrices(user, entering.id)).toEqual(['1.09000', '1.10000']);
    expect(await firedPrices(user, exiting.id)).toEqual(['1.11000']);
    expect(await firedPrices(user, inside.id)).toEqual(['1.09000', '1.09500', '1.10000']);
    expect(await firedPrices(user, outside.id)).toEqual(['1.08500', '1.11000']);
  });

  it('moving operators compare with the close N bars back, across bar boundaries', async () => {
    const user = await signedInUser(api);
    tape.nextMinute(500);
    await priceAt('XAUUSD', '2000.00');
    const up = await create(user, {
      symbol: 'XAUUSD',
      operator: 'moving_up_pct',
      value: '5',
      bars: 2,
      timeframe: '1m',
    });
    const down = await create(user, {
      symbol: 'XAUUSD',
      operator: 'moving_down_pct',
      value: '2.5',
      bars: 1,
      timeframe: '1m',
    });
    // Bar A closes at 2000, bar B at 2050; in bar C the price is measured against A's close.
    tape.nextMinute();
    await tape.play(worker, 'XAUUSD', ['2050.00']);
    tape.nextMinute();
    await tape.play(worker, 'XAUUSD', ['2090.00', '2100.00', '2000.00']);

    expect(await firedPrices(user, up.id)).toEqual(['2100.00']);
    // Down 2.5 % from B's close (2050): 1998.75 or lower; 2000 is not.
    expect(await firedPrices(user, down.id)).toEqual([]);
    await tape.play(worker, 'XAUUSD', ['1998.75']);
    expect(await firedPrices(user, down.id)).toEqual(['1998.75']);
  });

  it('once_per_bar_close judges the closed bar at its close, stamped at the bar end', async () => {
    const user = await signedInUser(api);
    tape.nextMinute(500);
    await priceAt('XAGUSD', '30.000');
    const alert = await create(user, {
      symbol: 'XAGUSD',
      operator: 'greater_than',
      value: '32.000',
      frequency: 'once_per_bar_close',
      timeframe: '1m',
    });
    tape.nextMinute();
    await tape.play(worker, 'XAGUSD', ['33.000', '31.000']); // closes below: no
    const barEnd = tape.now - (tape.now % 60_000) + 60_000;
    tape.nextMinute();
    await tape.play(worker, 'XAGUSD', ['33.000', '33.500']); // the first bar closed at 31
    expect(await firedPrices(user, alert.id)).toEqual([]);
    tape.nextMinute();
    await tape.play(worker, 'XAGUSD', ['30.000']); // closes the bar at 33.5

    const fired = (await events(user)).filter((e) => e.alertId === alert.id);
    expect(fired).toEqual([
      expect.objectContaining({
        price: '33.500',
        triggeredAt: new Date(barEnd + 60_000).toISOString(),
      }),
    ]);
  });

  it('every_time keeps the minimum interval in tick time', async () => {
    const user = await signedInUser(api);
    await priceAt('XPTUSD', '1000.00');
    const alert = await create(user, {
      symbol: 'XPTUSD',
      operator: 'greater_than',
      value: '900.00',
      frequency: 'every_time',
      minIntervalSeconds: 60,
    });
    await tape.play(worker, 'XPTUSD', ['1001.00', '1002.00', '1003.00'], 30_000);
    await tape.play(worker, 'XPTUSD', ['1004.00'], 1_000);

    expect(await firedPrices(user, alert.id)).toEqual(['1001.00', '1003.00']);
  });

  it('checks expiry at fire time: an alert that expired while no ticks came never fires', async () => {
    const user = await signedInUser(api);
    await priceAt('EURUSD', '1.05000');
    const alert = await create(user, {
      symbol: 'EURUSD',
      operator: 'crossing_up',
      value: '1.06000',
      expiresAt: new Date(tape.now + 10_000).toISOString(),
    });
    await tape.play(worker, 'EURUSD', ['1.05500']);
    // The outage: the next tick arrives a minute later, past the expiry, across the level.
    await tape.play(worker, 'EURUSD', ['1.07000'], 60_000);

    expect(await firedPrices(user, alert.id)).toEqual([]);
    const after = await api.request('GET', `/v1/alerts/${alert.id}`, { token: user.accessToken });
    expect(after.body).toMatchObject({ status: 'expired', fireCount: 0 });
  });

  it('two evaluators racing on the same ticks store one event', async () => {
    const user = await signedInUser(api);
    const second = await startWorker(env);
    try {
      await priceAt('BTCUSD', '90000.00');
      const alert = await create(user, {
        symbol: 'BTCUSD',
        operator: 'crossing_up',
        value: '91000.00',
        frequency: 'every_time',
        minIntervalSeconds: 0,
      });
      const ticks = ['90500.00', '91500.00', '90000.00', '92000.00'].map((p) =>
        tape.next('BTCUSD', p),
      );
      const [a, b] = [worker, second].map((w) => w.app.get(AlertEvaluator));
      for (const tick of ticks) {
        const outcomes = await Promise.all([a!.evaluate(tick), b!.evaluate(tick)]);
        // At most one of them fired on the tick; the other found it taken (or fired nothing).
        expect(outcomes.filter((o) => (o?.events.length ?? 0) > 0).length).toBeLessThanOrEqual(1);
      }

      expect(await firedPrices(user, alert.id)).toEqual(['91500.00', '92000.00']);
      expect((await events(user)).map((e) => e.seq)).toEqual([1, 2]);
    } finally {
      await second.close();
    }
  });

  it('an evaluator replaced mid-stream misses no crossing and fires nothing twice', async () => {
    const user = await signedInUser(api);
    const lease = { ALERTS_EVALUATOR: 'on', ALERTS_PARTITIONS: '2', ALERTS_LEASE_TTL_MS: '600' };
    const redis = api.app.get<Redis>(REDIS);
    const channel = MarketChannels.ticks(api.config.redis.keyPrefix);
    const send = (price: string) =>
      redis.publish(channel, JSON.stringify(tape.next('XAUUSD', price)));
    const first = await startWorker({ ...env, ...lease });
    await priceAt('XAUUSD', '2300.00');
    const alert = await create(user, {
      symbol: 'XAUUSD',
      operator: 'crossing',
      value: '2350.00',
      frequency: 'every_time',
      minIntervalSeconds: 0,
    });
    await waitFor(
      () => first.app.get(AlertEvaluator).partitions.length,
      (n) => n === 2,
    );
    await send('2310.00');
    await send('2360.00'); // crossing 1, seen by the first evaluator
    await waitFor(
      () => firedPrices(user, alert.id),
      (p) => p.length === 1,
    );

    // The first evaluator goes away; ticks published meanwhile reach nobody.
    await first.close();
    await send('2340.00');
    await send('2330.00');
    const second = await startWorker({ ...env, ...lease });
    try {
      await waitFor(
        () => second.app.get(AlertEvaluator).partitions.length,
        (n) => n === 2,
      );
      // The new evaluator compares with the last stored price (2360): a crossing down.
      await send('2320.00');
      await send('2370.00');
      const fired = await waitFor(
        () => firedPrices(user, alert.id),
        (p) => p.length === 3,
      );
      expect(fired).toEqual(['2360.00', '2320.00', '2370.00']);
      expect((await events(user)).map((e) => e.seq)).toEqual([1, 2, 3]);
    } finally {
      await second.close();
    }
  });
});
