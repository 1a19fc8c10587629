import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { WEB_APP_DIR } from '../../apps/api/src/web/web-app';

/**
 * Debian's Chromium (`apt-get install -y chromium`; .ci/run installs it). playwright-core never
 * downloads a browser as long as `executablePath` is given; these flags keep the browser from
 * calling home (updates, sync, QUIC probes) and from needing a GPU or a sandbox in containers.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Where browser tests leave their screenshots (gitignored; CI can keep them as artifacts). */
export const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'web');

export function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });

  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

// What the bundle is made of: a build older than any of these is stale.
const WEB_SOURCES = [
  'apps/web',
  'clients/typescript/src',
  'libs/market-data/src',
  'libs/platform/src/sockets',
  'libs/alerts/src',
  'libs/auctions/src',
  'libs/orders/src',
  'vite.config.mts',
];

function newestChange(path: string): number {
  const stat = statSync(path);

  return stat.isDirectory()
    ? Math.max(0, ...readdirSync(path).map((name) => newestChange(join(path, name))))
    : stat.mtimeMs;
}

/**
 * `npm run build` builds apps/web (CI builds before testing); a spec run on its own rebuilds it
 * when the build is missing or older than its sources, so it never tests yesterday's bundle.
 */
export function ensureWebBuild(): void {
  const index = join(WEB_APP_DIR, 'index.html');
  const built = existsSync(index) ? statSync(index).mtimeMs : 0;
  if (built < Math.max(...WEB_SOURCES.map(newestChange))) {
    execFileSync(
      process.execPath,
      ['node_modules/vite/bin/vite.js', 'build', '-c', 'vite.config.mts'],
      {
        stdio: 'ignore',
      },
    );
  }
}

export interface ConsoleProblem {
  text: string;
  url: string;
}

/** Every console error and uncaught exception of a page, with the URL it concerns. */
export function collectConsoleErrors(page: Page): ConsoleProblem[] {
  const problems: ConsoleProblem[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') {
      problems.push({ text: message.text(), url: message.location().url });
    }
  });
  page.on('pageerror', (error) => problems.push({ text: error.message, url: page.url() }));

  return problems;
}

/** Reads until `ok` holds (the page updates on its own schedule); the last value otherwise. */
export async function eventually<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!ok(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }

  return value;
}
