import type { DataSourceOptions, MigrationInterface } from 'typeorm';
import type { AppConfig } from '../config/config';

export interface DataSourceParts {
  /**
   * The app's migrations, oldest first, for those that run them (the cli, the tests): the
   * platform knows no schema of its own, so the apps, which do not migrate, pass none.
   */
  migrations?: (new () => MigrationInterface)[];
  /** `application_name` of the connections, as pg_stat_activity shows them. */
  applicationName?: string;
}

/** The one DataSource definition: both apps, the migration CLI and the tests build from it. */
export function dataSourceOptions(
  db: AppConfig['database'] & { lockTimeoutMs?: number },
  { migrations = [], applicationName = 'bourse' }: DataSourceParts = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url: db.url,
    // Repositories speak SQL (`rows(tx, sql, params)`); no entity is mapped.
    entities: [],
    migrations,
    migrationsTableName: 'migrations',
    // Each migration runs in its own transaction so a failed one leaves the schema where it was;
    // one that cannot run in a transaction (CREATE INDEX CONCURRENTLY) sets `transaction = false`.
    migrationsTransactionMode: 'each',
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
