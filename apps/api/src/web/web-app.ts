import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const WEB_APP_PREFIX = '/app/';

/** Where `npm run build` puts apps/web (vite.config.mts), relative to the working directory. */
export const WEB_APP_DIR = join(process.cwd(), 'dist', 'web');

// Vite names every asset by its content hash: a changed file is a new URL, so caches keep them.
const IMMUTABLE = 'public, max-age=31536000, immutable';
// index.html names the current assets: browsers revalidate it, so a deploy is seen at once.
const REVALIDATE = 'no-cache';

/**
 * Serves the built web app under /app/ on the api's own origin (so its REST calls and WebSocket
 * need no CORS): the hashed assets as files, and index.html for /app/ and every other path under
 * it, where the app's router takes over. The page's CSP is set with the other fixed headers
 * (libs/platform, webAppHeaders). Without a build (tests of other areas, `nest start`) the api
 * runs without it and says so; false then.
 */
export async function serveWebApp(
  app: NestFastifyApplication,
  dir: string = WEB_APP_DIR,
): Promise<boolean> {
  const indexFile = join(dir, 'index.html');
  if (!existsSync(indexFile)) {
    return false;
  }
  const index = readFileSync(indexFile);
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.register(fastifyStatic, {
    root: dir,
    prefix: WEB_APP_PREFIX,
    // One route per file present at boot (the build is immutable), so the fallback below can
    // own every other path under /app/.
    wildcard: false,
    index: false,
    decorateReply: false,
    cacheControl: false,
    setHeaders: (reply, path) => {
      void reply.header('cache-control', path.endsWith('.html') ? REVALIDATE : IMMUTABLE);
    },
  });
  const sendIndex = (request: FastifyRequest, reply: FastifyReply) => {
    // A missing asset is a 404 (the api's problem document), not the page: a stale tab asking
    // for an old bundle must not parse HTML as JavaScript.
    if (request.url.startsWith(`${WEB_APP_PREFIX}assets/`)) {
      return reply.callNotFound();
    }

    return reply.header('cache-control', REVALIDATE).type('text/html; charset=utf-8').send(index);
  };
  fastify.get('/app', (_request, reply) => reply.redirect(WEB_APP_PREFIX, 308));
  fastify.get(WEB_APP_PREFIX, sendIndex);
  fastify.get(`${WEB_APP_PREFIX}*`, sendIndex);

  return true;
}
