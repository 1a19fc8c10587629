import { seedAuction } from '../../apps/cli/src/seed-auction.command';
import { seed, seedHistory } from '../../apps/cli/src/seed.command';
import { uniqueEmail } from '../factories/users';
import { startApi, testConfig } from '../setup/apps';

describe('db:seed (part of npm start)', () => {
  it('creates the demo admin and user with funded wallets, and changes nothing when run again', async () => {
    const env = { SEED_ADMIN_EMAIL: uniqueEmail(), SEED_USER_EMAIL: uniqueEmail() };
    const config = testConfig(env);
    const expected = `seeded ${config.seed.adminEmail} (admin) and ${config.seed.userEmail} (user), each with USD and XAU wallets`;

    expect(await seed(config)).toBe(expected);
    expect(await seed(config)).toBe(expected);

    // The first call of a demo login already shows money.
    const api = await startApi(env);
    try {
      for (const [email, password] of [
        [config.seed.userEmail, config.seed.userPassword],
        [config.seed.adminEmail, config.seed.adminPassword],
      ]) {
        const login = await api.request('POST', '/v1/auth/login', { body: { email, password } });
        const wallets = await api.request('GET', '/v1/wallets', { token: login.body.accessToken });
        expect(wallets.status).toBe(200);
        expect(
          (wallets.body as { asset: string; posted: string; available: string }[]).map(
            ({ asset, posted, available }) => ({ asset, posted, available }),
          ),
        ).toEqual([
          { asset: 'USD', posted: '100000', available: '100000' },
          { asset: 'XAU', posted: '50000', available: '50000' },
        ]);
      }
    } finally {
      await api.close();
    }
  });
});

describe('db:seed history', () => {
  it('backfills candle history for the charts once, then leaves it', async () => {
    // Raw ticks kept for an hour only: the bars are what the charts need.
    const config = testConfig({ MARKET_TICK_RETENTION_HOURS: '1' });
    const first = await seedHistory(config, 2);
    const again = await seedHistory(config, 2);

    expect(first).toMatch(/^backfilled 2 days of candle history \(\d+ bars\)$/);
    expect(again).toBe('candle history present; not backfilled');
  }, 120_000);
});

describe('db:seed demo auction', () => {
  it('opens the demo lot, and not a second one while it is still biddable', async () => {
    const config = testConfig();
    const first = await seedAuction(config);
    const again = await seedAuction(config);
    const api = await startApi();
    try {
      const opened = /^opened demo lot ([0-9a-f-]{36})$/.exec(first);
      const id =
        opened?.[1] ?? /^demo lot ([0-9a-f-]{36}) still open; not seeded$/.exec(first)?.[1];
      expect(again).toBe(`demo lot ${id} still open; not seeded`);
      const lot = await api.request('GET', `/v1/auctions/${id}`);
      expect(lot.status).toBe(200);
      expect(lot.body).toMatchObject({
        title: 'Demo lot: 1967 Jaguar E-Type Series 1',
        startingPrice: '5000',
        hasReserve: true,
        extendSeconds: 30,
      });
      expect(['scheduled', 'open']).toContain(lot.body.state);
    } finally {
      await api.close();
    }
  });
});
