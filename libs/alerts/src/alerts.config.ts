import { configSection, int, oneOf, type AppConfig, type SectionConfig } from '@bourse/platform';

/** Alerts' variables and settings (`config.alerts`), composed by the apps. */
export const ALERTS_CONFIG = configSection({
  key: 'alerts',
  vars: {
    ALERTS_MAX_ACTIVE_PER_USER: int({
      default: '100',
      min: 1,
      description: 'Active price alerts one user may have at once.',
    }),
    ALERTS_MAX_BARS: int({
      default: '100',
      min: 1,
      max: 1000,
      description:
        'Most bars a moving-percent alert may look back; the evaluator keeps that many closes per symbol and timeframe.',
    }),
    ALERTS_EVALUATOR: oneOf(['on', 'off'] as const, {
      default: 'on',
      description: 'Whether this worker takes a share of the symbols to evaluate alerts on.',
    }),
    ALERTS_PARTITIONS: int({
      default: '16',
      min: 1,
      max: 1024,
      description:
        'Symbol partitions the workers share; each is evaluated by the worker holding its lease.',
    }),
    ALERTS_LEASE_TTL_MS: int({
      default: '3000',
      min: 100,
      description:
        'Lease of an alert partition: a worker that stops renewing is replaced within about 4/3 of it.',
    }),
    ALERTS_REFRESH_MS: int({
      default: '30000',
      min: 100,
      description:
        'How often an evaluator re-reads its rules (edits reach it at once over Redis; this catches a missed one) and expires rules past due.',
    }),
    ALERTS_MAX_CONNECTIONS_PER_IP: int({
      default: '20',
      min: 1,
      description: 'Socket.IO /alerts connections allowed per client IP on one api node.',
    }),
  },
  read: (v) => ({
    maxActivePerUser: v.ALERTS_MAX_ACTIVE_PER_USER,
    maxBars: v.ALERTS_MAX_BARS,
    evaluator: v.ALERTS_EVALUATOR === 'on',
    partitions: v.ALERTS_PARTITIONS,
    leaseTtlMs: v.ALERTS_LEASE_TTL_MS,
    refreshMs: v.ALERTS_REFRESH_MS,
    maxConnectionsPerIp: v.ALERTS_MAX_CONNECTIONS_PER_IP,
  }),
});

/** The config alerts' services inject (APP_CONFIG): the platform's and `alerts`. */
export type AlertsAppConfig = AppConfig & SectionConfig<typeof ALERTS_CONFIG>;
