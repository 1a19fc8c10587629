import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const fromRoot = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * apps/web: built into dist/web and served by the api under /app/ (apps/api/src/web). No React
 * plugin: Vite 8 compiles TSX itself; the plugin would only add hot reload.
 */
export default defineConfig({
  root: fromRoot('./apps/web'),
  base: '/app/',
  resolve: {
    alias: {
      '@bourse/client': fromRoot('./clients/typescript/src/index.ts'),
      '@bourse/market-data/contract': fromRoot('./libs/market-data/src/fanout/prices.events.ts'),
      '@bourse/orders/contract': fromRoot('./libs/orders/src/topup.events.ts'),
      '@bourse/market-data/timeframes': fromRoot('./libs/market-data/src/timeframes.ts'),
      '@bourse/alerts/contract': fromRoot('./libs/alerts/src/alerts.events.ts'),
      '@bourse/auctions/contract': fromRoot('./libs/auctions/src/auctions.events.ts'),
    },
  },
  build: {
    outDir: fromRoot('./dist/web'),
    emptyOutDir: true,
    // lightweight-charts and React are the bulk; the budget (bench/web) is 250 kB gzipped.
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `npx vite -c vite.config.mts` during development, with the api on its usual port.
    proxy: {
      '/v1': 'http://127.0.0.1:3000',
      '/socket.io': { target: 'ws://127.0.0.1:3000', ws: true },
    },
  },
  test: {
    root: fromRoot('.'),
    include: ['apps/web/src/**/*.test.{ts,tsx}'],
    environment: 'happy-dom',
  },
});
