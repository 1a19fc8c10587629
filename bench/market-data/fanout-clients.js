'use strict';
/**
 * One load process: opens up to `count` socket.io-client connections to `url` within
 * `CONNECT_TIMEOUT_MS` (plus one batch's OPEN_TIMEOUT_MS), subscribes each to the published
 * symbols, and measures (on the parent's command) ticks received, latency from the tick's `ts`
 * to receipt, and seq gaps per client and symbol. Connections refused, timed out or dropped are
 * counted, not fatal: the parent reports a phase with however many clients it got.
 */
const { performance } = require('node:perf_hooks');
const { io } = require('socket.io-client');

const url = process.env.URL;
const count = Number(process.env.COUNT);
const connectTimeoutMs = Number(process.env.CONNECT_TIMEOUT_MS);
const symbols = ['XAUUSD', 'XAGUSD', 'XPTUSD', 'BTCUSD'];
const RAMP_BATCH = 50;
const OPEN_TIMEOUT_MS = 60_000;
// Latency histogram in 0.1 ms buckets up to 10 s.
const histogram = new Uint32Array(100_001);
const sockets = [];
let received = 0;
let gaps = 0;
const gappedClients = new Set();
let measuring = false;
let failed = 0;
let dropped = 0;
let firstFailure;

/** A subscribed client, or a rejection within OPEN_TIMEOUT_MS (a server too busy to answer). */
function open(index) {
  return new Promise((resolve, reject) => {
    const socket = io(url, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: OPEN_TIMEOUT_MS,
    });
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`not subscribed within ${OPEN_TIMEOUT_MS} ms`));
    }, OPEN_TIMEOUT_MS);
    const last = {};
    socket.on('tick', (tick) => {
      const previous = last[tick.symbol];
      last[tick.symbol] = tick.seq;
      if (!measuring) {
        return;
      }
      received++;
      const ms = performance.timeOrigin + performance.now() - tick.ts;
      histogram[Math.min(histogram.length - 1, Math.max(0, Math.round(ms * 10)))]++;
      if (previous !== undefined && tick.seq !== previous + 1) {
        gaps++;
        gappedClients.add(index);
      }
    });
    socket.once('connect', () => {
      socket.emit('subscribe', { symbols }, (ack) => {
        clearTimeout(timer);
        if (ack.ok) {
          resolve(socket);
        } else {
          reject(new Error(ack.error.message));
        }
      });
    });
    socket.once('connect_error', (error) => {
      clearTimeout(timer);
      socket.close();
      reject(error);
    });
    socket.once('disconnect', (reason) => {
      if (reason !== 'io client disconnect') {
        dropped++;
      }
    });
  });
}

process.on('message', async (command) => {
  if (command === 'connect') {
    const deadline = Date.now() + connectTimeoutMs;
    for (let i = 0; i < count && Date.now() < deadline; i += RAMP_BATCH) {
      const batch = [];
      for (let j = i; j < Math.min(count, i + RAMP_BATCH); j++) {
        batch.push(open(j));
      }
      for (const result of await Promise.allSettled(batch)) {
        if (result.status === 'fulfilled') {
          sockets.push(result.value);
        } else {
          failed++;
          firstFailure ??= result.reason?.message ?? String(result.reason);
        }
      }
    }
    process.send({ type: 'connected', connected: sockets.length, failed, firstFailure });
  } else if (command === 'measure') {
    measuring = true;
  } else if (command === 'report') {
    measuring = false;
    process.send({
      type: 'report',
      dropped,
      received,
      gaps,
      gappedClients: gappedClients.size,
      histogram: Array.from(histogram),
    });
  } else if (command === 'close') {
    sockets.forEach((socket) => socket.disconnect());
    setTimeout(() => process.exit(0), 200);
  }
});
