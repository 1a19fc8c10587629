import type { AppConfig } from '@bourse/platform';

/** Filled in once auth lands. */
export async function seed(_config: AppConfig): Promise<string> {
  throw new Error('seed requires the auth module');
}
