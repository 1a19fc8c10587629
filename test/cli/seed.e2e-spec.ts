import { seed, seedHistory } from '../../apps/cli/src/seed.command';
import { uniqueEmail } from '../factories/users';
import { testConfig } from '../setup/apps';

describe('db:seed (part of npm start)', () => {
  it('creates the demo admin and user, and changes nothing when run again', async () => {
    const config = testConfig({ SEED_ADMIN_EMAIL: uniqueEmail(), SEED_USER_EMAIL: uniqueEmail() });
    const expected = `seeded ${config.seed.adminEmail} (admin) and ${config.seed.userEmail} (user)`;

    expect(await seed(config)).toBe(expected);
    expect(await seed(config)).toBe(expected);
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
