import { CONFIG_TABLE_END, CONFIG_TABLE_START, configTable } from '@bourse/platform';
import { readFileSync } from 'node:fs';
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
