import { configSection, int, str, type AppConfig, type SectionConfig } from '@bourse/platform';

/** Auctions' variables and settings (`config.auctions`), composed by the apps that load it. */
export const AUCTIONS_CONFIG = configSection({
  key: 'auctions',
  vars: {
    AUCTIONS_CURRENCY: str({
      default: 'USD',
      description: 'Ledger asset lots are priced in and bids are held in.',
    }),
    AUCTIONS_EXTEND_SECONDS: int({
      default: '30',
      min: 1,
      max: 3600,
      description:
        'Default timer of a lot: it closes once this long passes with no accepted bid (an auction may set its own).',
    }),
    AUCTIONS_FEE_BPS: int({
      default: '500',
      min: 0,
      max: 5000,
      description:
        'House fee on a sold lot, basis points of the hammer price (rounded up), taken from the proceeds.',
    }),
    AUCTIONS_SWEEP_INTERVAL_SECONDS: int({
      default: '5',
      min: 1,
      max: 3600,
      description:
        'How often the worker opens and closes lots whose start or end passed (beside the delayed job of each lot).',
    }),
    AUCTIONS_MAX_CONNECTIONS_PER_IP: int({
      default: '200',
      min: 1,
      description: 'Sockets one client address may hold open on /auctions, per api node.',
    }),
  },
  read: (v) => ({
    currency: v.AUCTIONS_CURRENCY,
    extendSeconds: v.AUCTIONS_EXTEND_SECONDS,
    feeBps: v.AUCTIONS_FEE_BPS,
    sweepIntervalSeconds: v.AUCTIONS_SWEEP_INTERVAL_SECONDS,
    maxConnectionsPerIp: v.AUCTIONS_MAX_CONNECTIONS_PER_IP,
  }),
});

/** The config auctions' services inject (APP_CONFIG): the platform's and `auctions`. */
export type AuctionsAppConfig = AppConfig & SectionConfig<typeof AUCTIONS_CONFIG>;
