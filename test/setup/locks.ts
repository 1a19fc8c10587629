import { rows, type Database, type Tx } from '@bourse/platform';

/**
 * Runs `first` in a transaction held open until the returned commit() is called; `last`, if
 * given, then runs in it before it commits. Puts a concurrent call between a lock and its commit.
 */
export async function holdOpen(
  db: Database,
  first: (tx: Tx) => Promise<unknown>,
  last?: (tx: Tx) => Promise<unknown>,
): Promise<() => Promise<void>> {
  let commit!: () => void;
  let ready!: () => void;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  const done = db.transaction(undefined, async (tx) => {
    await first(tx);
    ready();
    await new Promise<void>((resolve) => (commit = resolve));
    await last?.(tx);
  });
  await isReady;

  return async () => {
    commit();
    await done;
  };
}

/**
 * Resolves once a statement of this database waits for a lock: one whose text contains one of
 * `queries`, when given, since other test files share the database. Fails after 5 s.
 */
export async function lockWaitSeen(db: Database, queries: string[] = []): Promise<void> {
  for (let waited = 0; waited < 5000; waited += 20) {
    const waiting = await rows(
      db.manager,
      `SELECT 1 FROM pg_stat_activity
        WHERE wait_event_type = 'Lock' AND datname = current_database()
          AND (cardinality($1::text[]) = 0 OR query LIKE ANY ($1))`,
      [queries.map((q) => `%${q}%`)],
    );
    if (waiting.length) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(
    `no statement waited for a lock${queries.length ? ` (${queries.join(', ')})` : ''}`,
  );
}

/**
 * Resolves once a transaction holds the advisory lock of an Idempotency-Key (idempotency_try_lock:
 * class 0x1DE5, the hash of scope and key). Fails after 5 s.
 */
export async function keyLockSeen(db: Database, scope: string, key: string): Promise<void> {
  for (let waited = 0; waited < 5000; waited += 20) {
    const held = await rows(
      db.manager,
      `SELECT 1 FROM pg_locks
        WHERE locktype = 'advisory' AND classid = x'1DE5'::int::oid AND objsubid = 2
          AND objid = (hashtext($1 || chr(10) || $2)::int8 & 4294967295)::oid AND granted`,
      [scope, key],
    );
    if (held.length) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no transaction took the lock of key ${key}`);
}
