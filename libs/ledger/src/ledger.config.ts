import { configSection, int, type AppConfig, type SectionConfig } from '@bourse/platform';

/** The ledger's variables and settings (`config.ledger`), composed by the apps that load it. */
export const LEDGER_CONFIG = configSection({
  key: 'ledger',
  vars: {
    LEDGER_HOT_ACCOUNT_SHARDS: int({
      default: '16',
      min: 1,
      max: 256,
      description:
        'Balance sub-rows of each allow-negative system account (house, fees, clearing), so transfers touching it do not serialize on one row.',
    }),
    LEDGER_KEYED_TRANSFERS_IN_FLIGHT: int({
      default: '4',
      min: 1,
      max: 1000,
      description:
        'Keyed transfers (POST /v1/ledger/transfers with an Idempotency-Key) an api process sends to Postgres at once; those arriving meanwhile are posted together, as one batch, when one returns.',
    }),
    LEDGER_PENDING_SWEEP_INTERVAL_SECONDS: int({
      default: '30',
      min: 1,
      description: 'How often the worker voids pending transfers past their timeout.',
    }),
    LEDGER_VERIFY_INTERVAL_SECONDS: int({
      default: '300',
      min: 10,
      description: 'How often the worker runs the ledger invariant checker.',
    }),
  },
  read: (v) => ({
    hotAccountShards: v.LEDGER_HOT_ACCOUNT_SHARDS,
    keyedTransfersInFlight: v.LEDGER_KEYED_TRANSFERS_IN_FLIGHT,
    pendingSweepIntervalSeconds: v.LEDGER_PENDING_SWEEP_INTERVAL_SECONDS,
    verifyIntervalSeconds: v.LEDGER_VERIFY_INTERVAL_SECONDS,
  }),
});

/** The config the ledger's services inject (APP_CONFIG): the platform's and `ledger`. */
export type LedgerAppConfig = AppConfig & SectionConfig<typeof LEDGER_CONFIG>;
