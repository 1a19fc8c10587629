import { seed } from '../../apps/cli/src/seed.command';
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
