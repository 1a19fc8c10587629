import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '../..');

/**
 * The web app's typecheck against a copy of its two contracts with one change each: a field of
 * a response DTO renamed in the generated client, and a socket event renamed in the /prices
 * contract. Both must fail `tsc` where the app uses them, so such a change breaks the build
 * (CI's typecheck), not a user's screen.
 */
async function typecheckWith(edits: {
  schema: (text: string) => string;
  events: (text: string) => string;
}): Promise<string> {
  // Inside the repository, so the copies resolve packages from its node_modules.
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, 'dist', 'web-drift-'));
  try {
    cpSync(join(ROOT, 'clients/typescript/src'), join(dir, 'client'), { recursive: true });
    cpSync(join(ROOT, 'libs/market-data/src'), join(dir, 'market-data'), { recursive: true });
    const edit = (path: string, change: (text: string) => string) => {
      const before = readFileSync(path, 'utf8');
      const after = change(before);
      expect(after).not.toBe(before);
      writeFileSync(path, after);
    };
    edit(join(dir, 'client/schema.d.ts'), edits.schema);
    edit(join(dir, 'market-data/fanout/prices.events.ts'), edits.events);
    // The app's own aliases, made absolute, with the two contracts pointed at the copies.
    const web = JSON.parse(readFileSync(join(ROOT, 'apps/web/tsconfig.json'), 'utf8')) as {
      compilerOptions: { paths: Record<string, string[]> };
    };
    const paths = Object.fromEntries(
      Object.entries(web.compilerOptions.paths).map(([alias, [target]]) => [
        alias,
        [join(ROOT, target)],
      ]),
    );
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: join(ROOT, 'apps/web/tsconfig.json'),
        compilerOptions: {
          baseUrl: dir,
          paths: {
            ...paths,
            '@bourse/client': ['client/index.ts'],
            '@bourse/market-data/contract': ['market-data/fanout/prices.events.ts'],
            '@bourse/market-data/timeframes': ['market-data/timeframes.ts'],
          },
        },
        include: [join(ROOT, 'apps/web/src')],
      }),
    );
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const result = await promisify(execFile)(process.execPath, [tsc, '-p', dir]).then(
      () => '',
      (error: { stdout: string }) => error.stdout,
    );

    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

it('fails the web typecheck when a DTO field or a socket event is renamed', async () => {
  const output = await typecheckWith({
    // WalletDto.available -> availableMinor (the first `available: string;` after WalletDto).
    schema: (text) =>
      text.replace(/(WalletDto: \{[\s\S]*?)\bavailable: string;/, '$1availableMinor: string;'),
    // The `tick` event -> `price`, as the contract's code names it.
    events: (text) =>
      text
        .replace("Tick: 'tick',", "Price: 'price',")
        .replace('[PricesEvent.Tick]', '[PricesEvent.Price]'),
  });

  expect(output).toMatch(/src\/wallet\/BalancesTable\.tsx.*Property 'available' does not exist/);
  expect(output).toMatch(/src\/markets\/price-stream\.ts.*Property 'Tick' does not exist/);
  // Every error follows from the two renames: the copies are otherwise what the app builds on.
  const errors = output.split('\n').filter((line) => line.includes('error TS'));
  expect(errors.filter((line) => !/availableMinor|'available'|'[Tt]ick'/.test(line))).toEqual([]);
}, 120_000);
