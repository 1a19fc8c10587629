import { Database, rows } from '@bourse/platform';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startApi, type TestServer } from '../setup/apps';

const ROOT = path.resolve(__dirname, '../..');

/** Each lib's functions as committed: libs/<lib>/sql/<function>.sql. */
function committedFunctions(): Map<string, { file: string; definition: string }> {
  const found = new Map<string, { file: string; definition: string }>();
  for (const lib of readdirSync(path.join(ROOT, 'libs'))) {
    const dir = path.join(ROOT, 'libs', lib, 'sql');
    let files: string[];
    try {
      files = readdirSync(dir).filter((name) => name.endsWith('.sql'));
    } catch {
      continue;
    }
    for (const name of files) {
      const file = path.join('libs', lib, 'sql', name);
      found.set(name.slice(0, -'.sql'.length), {
        file,
        // Trailing newlines aside (an editor adds one).
        definition: readFileSync(path.join(ROOT, file), 'utf8').trimEnd(),
      });
    }
  }

  return found;
}

/**
 * The SQL that runs in Postgres, readable beside the code that calls it: every function of the
 * migrated database is committed as libs/<lib>/sql/<name>.sql, exactly as pg_get_functiondef prints
 * it. A migration that changes a function changes its file in the same commit.
 */
describe('SQL functions', () => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(() => api.close());

  it('are committed beside their lib, each as the migrated database defines it', async () => {
    const live = await rows<{ name: string; definition: string }>(
      api.app.get(Database).manager,
      `SELECT p.proname AS name, pg_get_functiondef(p.oid) AS definition
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public'
        ORDER BY p.proname`,
    );
    const committed = committedFunctions();

    expect([...committed.keys()].sort()).toEqual(live.map((fn) => fn.name));
    for (const fn of live) {
      const file = committed.get(fn.name)!;
      expect({ file: file.file, definition: file.definition }).toEqual({
        file: file.file,
        definition: fn.definition.trimEnd(),
      });
    }
  });
});
