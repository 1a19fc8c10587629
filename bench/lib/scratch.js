'use strict';
/**
 * What a benchmark makes for itself: databases (`bourse_bench_<name>_<pid>`) on the Postgres of DATABASE_URL
 * and a Redis key prefix of its own (every key the apps write is `<prefix>:…`, Bull's included).
 * `cleanUp()` removes both, so a run leaves nothing behind and never touches the developer's data.
 */
const { Client } = require('pg');
const Redis = require('ioredis');

const BASE_URL = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/bourse');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** `name` on the Postgres of DATABASE_URL. */
function databaseUrl(name) {
  return Object.assign(new URL(BASE_URL), { pathname: `/${name}` }).toString();
}

async function onPostgres(statements) {
  const admin = new Client({ connectionString: databaseUrl('postgres') });
  await admin.connect();
  try {
    for (const sql of statements) {
      await admin.query(sql);
    }
  } finally {
    await admin.end();
  }
}

/** Unlinks every key under `prefix:`, a SCAN page at a time. */
async function deleteRedisKeys(prefix) {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) {
        await redis.unlink(...keys);
      }
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** A benchmark's databases and Redis prefix (`bourse-bench-<name>-<pid>`), and their removal. */
function scratch(name, databases) {
  const prefix = `bourse-bench-${name}-${process.pid}`;

  return {
    prefix,
    /** Drops and creates each database, empty. */
    recreate: (database) =>
      onPostgres([
        `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`,
        `CREATE DATABASE ${database}`,
      ]),
    async cleanUp() {
      await onPostgres(databases.map((db) => `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`));
      await deleteRedisKeys(prefix);
      console.log(`removed ${databases.join(', ')} and the Redis keys under ${prefix}:`);
    },
  };
}

module.exports = { databaseUrl, scratch };
