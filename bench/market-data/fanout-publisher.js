'use strict';
/**
 * Stands in for the worker's leader: 4 symbols x 5 ticks/s, each tick written to the last-price
 * hash and published exactly as the worker's publisher does (`JSON.stringify(tick)`).
 */
const { clearInterval, setInterval } = require('node:timers');
const Redis = require('ioredis');

const prefix = process.env.REDIS_KEY_PREFIX;
const symbols = ['XAUUSD', 'XAGUSD', 'XPTUSD', 'BTCUSD'];
const perSymbolPerSecond = 5;
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const channel = `${prefix}:market:ticks`;
const seqs = Object.fromEntries(symbols.map((s) => [s, 0]));
let turn = 0;

// Spread evenly: one tick every 1000 / (4 x 5) = 50 ms, symbols in turn.
const timer = setInterval(
  () => {
    const symbol = symbols[turn++ % symbols.length];
    const tick = {
      symbol,
      price: (1000 + Math.random()).toFixed(2),
      ts: Date.now(),
      seq: ++seqs[symbol],
    };
    const json = JSON.stringify(tick);
    void redis.multi().hset(`${prefix}:market:last`, symbol, json).publish(channel, json).exec();
  },
  1000 / (symbols.length * perSymbolPerSecond),
);

process.on('SIGTERM', () => {
  clearInterval(timer);
  redis.quit().finally(() => process.exit(0));
});
