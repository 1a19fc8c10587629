import { MIGRATIONS } from '../../../../migrations';
import { type DataSourceOptions, type MixedList, type EntitySchema } from 'typeorm';
import type { AppConfig } from '../config/config';
import { SnakeNamingStrategy } from './naming.strategy';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type EntityList = MixedList<Function | string | EntitySchema>;

/** The one DataSource definition: both apps, the migration CLI and the tests build from it. */
export function dataSourceOptions(
  db: AppConfig['database'] & { lockTimeoutMs?: number },
  entities: EntityList = [],
  applicationName = 'bourse',
): DataSourceOptions {
  return {
    type: 'postgres',
    url: db.url,
    entities,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    // Each migration runs in its own transaction so a failed one leaves the schema where it was;
    // one that cannot run in a transaction (CREATE INDEX CONCURRENTLY) sets `transaction = false`.
    migrationsTransactionMode: 'each',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    logging: false,
    applicationName,
    extra: {
      max: db.poolSize,
      // A blackholed Postgres fails boot (and a starved pool fails the request) after this,
      // instead of hanging until a probe kills the pod.
      connectionTimeoutMillis: db.connectTimeoutMs,
      statement_timeout: db.statementTimeoutMs,
      idle_in_transaction_session_timeout: Math.max(db.statementTimeoutMs, 60_000),
      ...(db.lockTimeoutMs === undefined ? {} : { lock_timeout: db.lockTimeoutMs }),
    },
  };
}
