import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { dataSourceOptions } from './data-source.options';

/** The counters node-postgres' Pool keeps. */
interface PgPoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/** A database transaction (or the pool's manager outside one); repositories take it explicitly. */
export type Tx = EntityManager;

@Injectable()
export class Database implements OnModuleInit, OnApplicationShutdown {
  readonly dataSource: DataSource;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.dataSource = new DataSource(
      dataSourceOptions(config.database, { applicationName: `bourse-${process.title}` }),
    );
  }

  async onModuleInit(): Promise<void> {
    await this.dataSource.initialize();
  }

  // Closed after the HTTP server has drained, so in-flight requests can still finish their queries.
  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) {
      await this.dataSource.destroy();
    }
  }

  /** The pool's manager, for reads that need no transaction. */
  get manager(): Tx {
    return this.dataSource.manager;
  }

  /**
   * Runs `work` in a transaction: joins `outer` when given (the caller owns commit/rollback),
   * otherwise opens one that commits when `work` resolves and rolls back when it throws.
   * Without `isolation` it is Postgres' default, READ COMMITTED: naming it would cost every
   * transaction a separate SET TRANSACTION round trip.
   */
  transaction<T>(
    outer: Tx | undefined,
    work: (tx: Tx) => Promise<T>,
    isolation?: IsolationLevel,
  ): Promise<T> {
    if (outer) {
      return work(outer);
    }

    return isolation
      ? this.dataSource.transaction(isolation, work)
      : this.dataSource.transaction(work);
  }

  /**
   * The pool's connections right now (node-postgres' Pool under TypeORM's driver): for the
   * metrics, where a queue of waiting callers is the first sign of a pool too small.
   */
  poolStats(): { total: number; idle: number; waiting: number } {
    const pool = (this.dataSource.driver as unknown as { master?: PgPoolCounts }).master;

    return {
      total: pool?.totalCount ?? 0,
      idle: pool?.idleCount ?? 0,
      waiting: pool?.waitingCount ?? 0,
    };
  }

  /** Round trip to Postgres, for readiness checks. */
  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}

/**
 * Runs SQL and returns its rows. TypeORM answers UPDATE/DELETE with `[rows, rowCount]` and
 * everything else with `rows`; callers always want the rows.
 */
export async function rows<T = Record<string, unknown>>(
  tx: Tx,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const result: unknown = await tx.query(sql, params);
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  ) {
    return result[0] as T[];
  }

  return result as T[];
}
