import { uploadFormOrigin } from '@bourse/storage';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { WEB_APP_DIR } from '../../apps/api/src/web/web-app';
import { startApi, type TestServer } from '../setup/apps';
import { ensureWebBuild } from './browser';

let api: TestServer;

beforeAll(async () => {
  ensureWebBuild();
  api = await startApi();
});

afterAll(() => api.close());

describe('the web app under /app/', () => {
  it('serves index.html for the app and its client-side routes, revalidated, with its own CSP', async () => {
    for (const path of ['/app/', '/app/markets', '/app/wallet/anything']) {
      const page = await api.request('GET', path);
      expect({ path, status: page.status }).toEqual({ path, status: 200 });
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.body).toContain('<div id="root"></div>');
      expect(page.headers.get('cache-control')).toBe('no-cache');
      const csp = page.headers.get('content-security-policy')!;
      expect(csp).toContain(`script-src 'self'`);
      // Its own origin, and the bucket the Gold page POSTs KYC documents to.
      expect(csp).toContain(`connect-src 'self' ${uploadFormOrigin(api.config.storage)};`);
      expect(page.headers.get('x-frame-options')).toBe('DENY');
    }
  });

  it('caches hashed assets for good and answers a missing one with a 404 problem, not the page', async () => {
    const script = readdirSync(join(WEB_APP_DIR, 'assets')).find((name) => name.endsWith('.js'))!;
    const asset = await api.request('GET', `/app/assets/${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/^application\/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');

    const missing = await api.request('GET', '/app/assets/index-00000000.js');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('redirects /app to /app/ and leaves the REST headers of /v1 as they were', async () => {
    const bare = await fetch(`${api.url}/app`, { redirect: 'manual' });
    expect(bare.status).toBe(308);
    expect(bare.headers.get('location')).toBe('/app/');

    const rest = await api.request('GET', '/v1/market/symbols');
    expect(rest.headers.get('content-security-policy')).toBe(
      `default-src 'none';frame-ancestors 'none'`,
    );
    expect(rest.headers.get('cache-control')).toBe('no-store');
  });
});
