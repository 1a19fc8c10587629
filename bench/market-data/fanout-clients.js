'use strict';
/**
 * One load process: opens `count` socket.io-client connections to `url`, subscribes each to the
 * published symbols, and measures (on the parent's command) ticks received, latency from the
 * tick's `ts` to receipt, and seq gaps per client and symbol.
 */
const { performance } = require('node:perf_hooks');
const { io } = require('socket.io-client');

const url = process.env.URL;
const count = Number(process.env.COUNT);
const symbols = ['XAUUSD', 'XAGUSD', 'XPTUSD', 'BTCUSD'];
const RAMP_BATCH = 50;
// Latency histogram in 0.1 ms buckets up to 10 s.
const histogram = new Uint32Array(100_001);
const sockets = [];
let received = 0;
let gaps = 0;
const gappedClients = new Set();
let measuring = false;

function open(index) {
  return new Promise((resolve, reject) => {
    const socket = io(url, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: 60_000,
    });
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
      socket.emit('subscribe', { symbols }, (ack) => (ack.ok ? resolve(socket) : reject(ack)));
    });
    socket.once('connect_error', reject);
    socket.once('disconnect', (reason) => {
      if (reason !== 'io client disconnect') {
        process.send({ type: 'error', message: `client ${index} disconnected: ${reason}` });
      }
    });
  });
}

process.on('message', async (command) => {
  if (command === 'connect') {
    try {
      for (let i = 0; i < count; i += RAMP_BATCH) {
        const batch = [];
        for (let j = i; j < Math.min(count, i + RAMP_BATCH); j++) {
          batch.push(open(j));
        }
        sockets.push(...(await Promise.all(batch)));
      }
      process.send({ type: 'connected' });
    } catch (error) {
      process.send({
        type: 'error',
        message: `connect failed: ${error?.message ?? JSON.stringify(error)}`,
      });
    }
  } else if (command === 'measure') {
    measuring = true;
  } else if (command === 'report') {
    measuring = false;
    process.send({
      type: 'report',
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
