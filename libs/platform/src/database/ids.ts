import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

const POOL_IDS = 256;
const pool = Buffer.alloc(16 * POOL_IDS);
let poolNext = pool.length;
let lastMs = -Infinity;
let sequence = 0;

/**
 * 16 random bytes from a pool refilled 256 ids at a time. uuid's own generator asks the CSPRNG
 * for each id, a call that costs more than the rest of making the id; a pool spreads that cost
 * over many ids. The bytes are copied into the id, so the pool can be refilled in place.
 */
function randomBytes16(): Buffer {
  if (poolNext === pool.length) {
    randomFillSync(pool);
    poolNext = 0;
  }
  poolNext += 16;

  return pool.subarray(poolNext - 16, poolNext);
}

/**
 * UUIDv7: time-ordered, so primary-key inserts append to the index instead of scattering. Like
 * uuid's default, ids made in the same millisecond (or while the clock steps back) count up a
 * sequence seeded from the random bytes, so this process's ids always sort in creation order.
 */
export function newId(): string {
  const random = randomBytes16();
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    sequence = ((random[6]! & 0x7f) << 24) | (random[7]! << 16) | (random[8]! << 8) | random[9]!;
  } else {
    sequence = (sequence + 1) | 0;
    if (sequence === 0) {
      lastMs += 1;
    }
  }

  return v7({ random, msecs: lastMs, seq: sequence });
}
