import Redis from 'ioredis';

/** Deletes every key matching `pattern` (a prefix's keys: a FLUSHALL as far as its apps can tell). */
export async function deleteRedisKeys(pattern: string): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    for await (const keys of redis.scanStream({ match: pattern, count: 1000 }) as AsyncIterable<
      string[]
    >) {
      if (keys.length > 0) {
        await redis.del(...keys);
      }
    }
  } finally {
    await redis.quit();
  }
}
