import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { paths } from './schema';

export type { components, operations, paths } from './schema';

export type BourseClient = Client<paths>;

export interface BourseClientOptions extends ClientOptions {
  /** Returns the current access token (or `ApiKey <id>.<secret>`); called before every request. */
  authorization?: () => string | undefined;
}

/**
 * A typed fetch client for the Bourse REST API: paths, bodies and responses are checked against
 * the OpenAPI document at compile time. Errors arrive as RFC 9457 problem documents in `error`.
 */
export function createBourseClient(options: BourseClientOptions = {}): BourseClient {
  const { authorization, ...clientOptions } = options;
  const client = createClient<paths>(clientOptions);
  if (authorization) {
    client.use({
      onRequest({ request }) {
        const value = authorization();
        if (value) {
          request.headers.set(
            'authorization',
            value.startsWith('ApiKey ') ? value : `Bearer ${value}`,
          );
        }

        return request;
      },
    });
  }

  return client;
}
