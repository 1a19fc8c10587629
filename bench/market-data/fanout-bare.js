'use strict';
/**
 * The comparison: plain Socket.IO on a Node http server, same namespace and events, relaying the
 * same Redis channel with a room broadcast per tick (no auth, limits, conflation or metrics).
 */
const { createServer } = require('node:http');
const Redis = require('ioredis');
const { Server } = require('socket.io');

const port = Number(process.env.PORT);
const channel = `${process.env.REDIS_KEY_PREFIX}:market:ticks`;
const http = createServer();
const io = new Server(http, { serveClient: false });
const prices = io.of('/prices');
prices.on('connection', (socket) => {
  socket.on('subscribe', (payload, ack) => {
    for (const symbol of payload.symbols) {
      void socket.join(symbol);
    }
    ack({ ok: true, snapshot: [], rejected: [] });
  });
});
const subscriber = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
subscriber.on('message', (_channel, message) => {
  const tick = JSON.parse(message);
  prices.to(tick.symbol).emit('tick', tick);
});
void subscriber.subscribe(channel);
http.listen(port, '127.0.0.1', () => process.send?.({ type: 'ready' }));
process.on('SIGTERM', () => {
  io.close();
  subscriber.disconnect();
  process.exit(0);
});
