import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ASYNCAPI_DOCUMENT } from '../../api/src/asyncapi/asyncapi.document';

const DOCUMENT_PATH = 'asyncapi.json';

/**
 * Writes asyncapi.json as the api serves it at /asyncapi.json (built from the schemas checked
 * against the TypeScript contract). With `check`, writes nothing and fails when the committed
 * file differs (CI's drift check, like `openapi --check`).
 */
export async function asyncapi(check: boolean): Promise<string> {
  const document = `${JSON.stringify(ASYNCAPI_DOCUMENT, null, 2)}\n`;
  if (!check) {
    await writeFile(resolve(DOCUMENT_PATH), document);

    return `wrote ${DOCUMENT_PATH}`;
  }
  const committed = await readFile(resolve(DOCUMENT_PATH), 'utf8').catch(() => '');
  if (committed !== document) {
    throw new Error(
      `AsyncAPI drift: ${DOCUMENT_PATH} differs from the code. Run \`npm run asyncapi\` and commit.`,
    );
  }

  return 'asyncapi.json matches the code';
}
