import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

/**
 * The platform names no business: a lib brings its own words (config sections, audit
 * vocabularies, roles, routes). Checked in identifiers, strings and comments of every file under
 * libs/platform/src; the imports are eslint's (no-restricted-imports in eslint.config.mjs).
 */
const DOMAIN_WORDS = new Set(
  [
    'ledger',
    'market',
    'wallet',
    'auction',
    'payment',
    'kyc',
    'order',
    'topup',
    'trading',
    'trade',
    'price',
    'candle',
    'deposit',
    'withdrawal',
  ].flatMap((word) => [word, `${word}s`]),
);
// English uses "order" for a sequence ("in creation order", SQL's ORDER BY): in strings and
// comments only its plural names the business.
const PROSE_WORDS = new Set([...DOMAIN_WORDS].filter((word) => word !== 'order'));

// Files other workstreams are rewriting while this rule lands; the integrator removes these
// entries after merging them (each names a domain only in a comment or a test value).
const ALLOWED_FILES = new Set(['queue/periodic-jobs.ts']);

const SRC = join(__dirname);
const THIS_FILE = 'platform-boundaries.spec.ts';

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? files(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );

/** `ledgerAccount`, `LEDGER_CONFIG`, `top-up`, `/v1/wallets`: the words, lowercased. */
const wordsOf = (text: string): string[] =>
  text
    .replace(/top-up/gi, 'topup')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter(Boolean);

/** `file:line: word` for each domain word in the file's identifiers, strings and comments. */
function domainWordsIn(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const report = (start: number, fragment: string, forbidden: Set<string>): void => {
    const line = source.getLineAndCharacterOfPosition(start).line + 1;
    for (const word of wordsOf(fragment).filter((w) => forbidden.has(w))) {
      found.push(`${relative(SRC, path)}:${line}: ${word}`);
    }
  };
  const comments = new Set<number>();
  const visit = (node: ts.Node): void => {
    for (const range of [
      ...(ts.getLeadingCommentRanges(text, node.getFullStart()) ?? []),
      ...(ts.getTrailingCommentRanges(text, node.getEnd()) ?? []),
    ]) {
      if (!comments.has(range.pos)) {
        comments.add(range.pos);
        report(range.pos, text.slice(range.pos, range.end), PROSE_WORDS);
      }
    }
    if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) {
      report(node.getStart(), node.text, DOMAIN_WORDS);
    } else if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node)) {
      report(node.getStart(), node.text, PROSE_WORDS);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  // Comments before the end of the file (after the last statement).
  visit(source.endOfFileToken);

  return found;
}

describe('libs/platform/src', () => {
  const checked = files(SRC)
    .map((path) => relative(SRC, path))
    .filter((path) => path !== THIS_FILE && !ALLOWED_FILES.has(path));

  it('names no business domain in code, strings or comments', () => {
    expect(checked.length).toBeGreaterThan(50);
    expect(checked.flatMap((path) => domainWordsIn(join(SRC, path)))).toEqual([]);
  });

  it('finds a domain named in an identifier, a string or a comment', () => {
    const probe = (source: string): string[] =>
      wordsOf(source).filter((word) => DOMAIN_WORDS.has(word));
    expect(probe('const ledgerAccount = 1')).toEqual(['ledger']);
    expect(probe("'/v1/wallets/:id'")).toEqual(['wallets']);
    expect(probe('LEDGER_CONFIG')).toEqual(['ledger']);
    expect(probe('a top-up job')).toEqual(['topup']);
    expect(probe('placeOrder')).toEqual(['order']);
  });

  it('allows only files that exist (the list shrinks as they are cleaned)', () => {
    const all = new Set(files(SRC).map((path) => relative(SRC, path)));
    expect([...ALLOWED_FILES].filter((path) => !all.has(path))).toEqual([]);
  });
});
