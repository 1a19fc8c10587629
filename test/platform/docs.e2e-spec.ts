import { CONFIG_TABLE_END, CONFIG_TABLE_START, configTable } from '@bourse/platform';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { CLI_CONFIG_SECTIONS } from '../../apps/cli/src/cli.config';

describe('README', () => {
  const readme = readFileSync('README.md', 'utf8');

  it('opens with the command that starts everything and the one that runs every test', () => {
    const top = readme.split('\n').slice(0, 20).join('\n');
    expect(top).toContain('npm ci && npm start');
    expect(top).toContain('npm ci && npm test');
  });

  it("documents exactly the variables the platform and the libs' config sections read", () => {
    const start = readme.indexOf(CONFIG_TABLE_START);
    const end = readme.indexOf(CONFIG_TABLE_END);
    expect(start).toBeGreaterThan(-1);
    expect(readme.slice(start, end + CONFIG_TABLE_END.length)).toBe(
      configTable(CLI_CONFIG_SECTIONS),
    );
  });
});

describe('the documentation', () => {
  const root = resolve('.');
  const skipped = /^(node_modules|dist|coverage|\.git)(\/|$)/;
  const markdown = readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.md') && !skipped.test(path))
    .sort();

  /** Targets of `[text](target)`, `<scheme:...>` autolinks and `href="..."`, outside code blocks. */
  const linksOf = (text: string): string[] => {
    const prose = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');

    return [
      ...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g),
      ...prose.matchAll(/<([a-z][a-z0-9+.-]*:[^>\s]+)>/gi),
      ...prose.matchAll(/href="([^"]+)"/g),
    ].map((match) => match[1]!);
  };

  it('covers the documents a newcomer reads first', () => {
    expect(markdown).toEqual(
      expect.arrayContaining([
        'README.md',
        'CONTRIBUTING.md',
        'docs/architecture.md',
        'bench/README.md',
        'libs/ledger/README.md',
      ]),
    );
  });

  it('links only to files inside the repository, each of which exists', () => {
    const broken = markdown.flatMap((file) =>
      linksOf(readFileSync(file, 'utf8'))
        .filter((target) => !target.startsWith('#'))
        .filter((target) => {
          if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
            return true;
          }
          const path = resolve(dirname(file), decodeURIComponent(target.split('#')[0]!));

          return relative(root, path).startsWith('..') || !existsSync(path);
        })
        .map((target) => `${file}: ${target}`),
    );
    expect(broken).toEqual([]);
  });

  it('names only files that exist where the guides point at the code', () => {
    const guides = ['README.md', 'CONTRIBUTING.md', 'docs/architecture.md', 'bench/README.md'];
    const top = /^(apps|libs|test|bench|scripts|migrations|docs|clients|k8s|docker)\//;
    const missing = guides.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/`([\w./-]+)`/g)]
        .map((match) => match[1]!)
        .filter((path) => top.test(path) && !existsSync(path))
        .map((path) => `${file}: ${path}`),
    );
    expect(missing).toEqual([]);
  });

  it('finds the links it checks', () => {
    expect(linksOf(readFileSync(join(root, 'README.md'), 'utf8'))).toEqual(
      expect.arrayContaining(['docs/architecture.md', 'CONTRIBUTING.md']),
    );
    expect(linksOf('[a](../shared/X.md) <https://example.com> `[b](c)`')).toEqual([
      '../shared/X.md',
      'https://example.com',
    ]);
  });
});
