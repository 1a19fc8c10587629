import { ALERTS_ASYNCAPI } from '@bourse/alerts';
import { AUCTIONS_ASYNCAPI } from '@bourse/auctions';
import { PRICES_ASYNCAPI } from '@bourse/market-data';
import { NOTIFICATIONS_ASYNCAPI } from '@bourse/notifications';
import { TOPUP_ASYNCAPI } from '@bourse/orders';
import { namespaceChannel, type NamespaceDoc } from '@bourse/platform';

const NAMESPACES: readonly NamespaceDoc[] = [
  PRICES_ASYNCAPI,
  NOTIFICATIONS_ASYNCAPI,
  ALERTS_ASYNCAPI,
  AUCTIONS_ASYNCAPI,
  TOPUP_ASYNCAPI,
];

/**
 * The AsyncAPI 3 document of every Socket.IO namespace, from the api's side: a channel per
 * namespace, built from the schemas each lib checks against its TypeScript contract. Served at
 * /asyncapi.json and committed as asyncapi.json (`cli asyncapi`, drift-checked in CI).
 */
export function asyncApiDocument(version: string): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  let operations: Record<string, unknown> = {};
  for (const namespace of NAMESPACES) {
    const built = namespaceChannel(namespace);
    channels[namespace.key] = built.channel;
    operations = { ...operations, ...built.operations };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Bourse live events',
      version,
      description:
        'Socket.IO namespaces on every api node, one channel each. `auth` in the handshake ' +
        'carries `{token}` (an access token or API key) where a namespace reads it; a bad ' +
        'token, or an address over its connection cap (`socket.too_many_connections`), is ' +
        'refused with `connect_error` `data: {code, status}`. Over the per-connection event ' +
        'rate, an event is refused with `socket.rate_limited`. Generated from the TypeScript ' +
        'contracts in the libs (`*.events.ts`); do not edit.',
    },
    defaultContentType: 'application/json',
    servers: {
      api: {
        host: 'localhost:3000',
        protocol: 'ws',
        description: 'The api, with Socket.IO (Engine.IO 4) at /socket.io/.',
      },
    },
    channels,
    operations,
  };
}

export const ASYNCAPI_DOCUMENT = asyncApiDocument('1');
