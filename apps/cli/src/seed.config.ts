import { configSection, str } from '@bourse/platform';

/** The demo accounts `npm run db:seed` creates (`config.seed`): the cli's own variables. */
export const SEED_CONFIG = configSection({
  key: 'seed',
  vars: {
    SEED_ADMIN_EMAIL: str({
      default: 'admin@bourse.local',
      description: 'Demo admin created by `npm run db:seed`.',
    }),
    SEED_ADMIN_PASSWORD: str({
      default: 'admin-password-123',
      minLength: 12,
      secret: true,
      description: 'Password of the demo admin.',
    }),
    SEED_USER_EMAIL: str({
      default: 'user@bourse.local',
      description: 'Demo user created by `npm run db:seed`.',
    }),
    SEED_USER_PASSWORD: str({
      default: 'user-password-123',
      minLength: 12,
      secret: true,
      description: 'Password of the demo user.',
    }),
  },
  read: (v) => ({
    adminEmail: v.SEED_ADMIN_EMAIL,
    adminPassword: v.SEED_ADMIN_PASSWORD,
    userEmail: v.SEED_USER_EMAIL,
    userPassword: v.SEED_USER_PASSWORD,
  }),
});
