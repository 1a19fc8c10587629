import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Swagger names an OpenAPI schema after its DTO class, and two classes of one name silently share
 * one schema: the second overwrites the first, and every client typed from the spec reads the
 * wrong fields for one of them. So a DTO's class name is unique across the libs and apps.
 */
it('gives every DTO class a name no other DTO class has', () => {
  const declared = new Map<string, string[]>();
  for (const root of ['libs', 'apps']) {
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter(
      (file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'),
    );
    for (const file of files) {
      const source = readFileSync(path.join(root, file), 'utf8');
      for (const [, name] of source.matchAll(/export class (\w+Dto)\b/g)) {
        declared.set(name, [...(declared.get(name) ?? []), path.join(root, file)]);
      }
    }
  }
  const repeated = [...declared].filter(([, files]) => files.length > 1);
  expect(repeated).toEqual([]);
  expect(declared.size).toBeGreaterThan(50);
});
