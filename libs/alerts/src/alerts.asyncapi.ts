import type { JsonSchemaOf, NamespaceDoc, SocketRefusal } from '@bourse/platform';
import {
  ALERTS_NAMESPACE,
  AlertsEvent,
  type AckReply,
  type AckRequest,
  type AlertsClientEvents,
  type AlertsHandshake,
  type AlertsReady,
  type AlertsServerEvents,
  type AlertStreamEvent,
} from './alerts.events';

// Each schema is checked against its type in alerts.events.ts (JsonSchemaOf): a renamed field
// fails to compile here until the document says the same.

const seq = (description: string) => ({ type: 'integer', minimum: 0, description }) as const;

const handshake = {
  title: 'AlertsHandshake',
  type: 'object',
  properties: {
    token: { type: 'string', description: 'A user access token (required).' },
    lastSeq: seq('The seq of the last event the client holds; omitted: the acknowledged cursor.'),
    lastEventId: {
      type: 'string',
      description: 'The id of that event: a different id at that seq means resync.',
    },
  },
  required: ['token'],
} as const satisfies JsonSchemaOf<AlertsHandshake>;

const ready = {
  title: 'AlertsReady',
  type: 'object',
  properties: {
    from: seq('Events after this seq follow, in seq order.'),
    lastSeq: seq("The stream's newest seq when the connection opened."),
    resync: {
      type: 'boolean',
      description:
        "True when the client's lastSeq/lastEventId is not in this stream (e.g. after a " +
        'restore): drop what it holds and rebuild from the events that follow.',
    },
  },
  required: ['from', 'lastSeq', 'resync'],
} as const satisfies JsonSchemaOf<AlertsReady>;

const alertEvent = {
  title: 'AlertStreamEvent',
  type: 'object',
  properties: {
    id: { type: 'string', description: 'The event, as in `GET /v1/alerts/events`.' },
    seq: { type: 'integer', minimum: 1, description: "Position in the user's stream." },
    alertId: { type: 'string', description: 'The alert rule that fired.' },
    symbol: { type: 'string', examples: ['XAUUSD'] },
    operator: { type: 'string', examples: ['crosses_above'], description: "The rule's operator." },
    price: {
      type: 'string',
      pattern: '^-?[0-9]+(\\.[0-9]+)?$',
      description: 'The price that fired it, a decimal string.',
    },
    triggeredAt: { type: 'string', description: "The tick's time, ISO 8601." },
    firedAt: { type: 'string', description: 'When the rule fired, ISO 8601.' },
    message: { type: 'string', description: "The rule's own message, when it has one." },
  },
  required: ['id', 'seq', 'alertId', 'symbol', 'operator', 'price', 'triggeredAt', 'firedAt'],
} as const satisfies JsonSchemaOf<AlertStreamEvent>;

const ackRequest = {
  title: 'AckRequest',
  type: 'object',
  properties: { seq: seq('The newest seq the client has handled.') },
  required: ['seq'],
} as const satisfies JsonSchemaOf<AckRequest>;

const refusal = {
  type: 'object',
  properties: {
    ok: { const: false },
    error: {
      type: 'object',
      properties: {
        code: { type: 'string', examples: ['alerts.invalid_payload'] },
        message: { type: 'string' },
      },
      required: ['code', 'message'],
    },
  },
  required: ['ok', 'error'],
} as const satisfies JsonSchemaOf<SocketRefusal>;

const ackReply = {
  oneOf: [
    {
      type: 'object',
      properties: {
        ok: { const: true },
        ackedSeq: seq('The stored cursor after this ack (it never moves back).'),
      },
      required: ['ok', 'ackedSeq'],
    },
    refusal,
  ],
} as const satisfies JsonSchemaOf<AckReply>;

const CLIENT_EVENTS: {
  [E in keyof AlertsClientEvents]: { summary: string; payload: object; ack: object };
} = {
  [AlertsEvent.Ack]: {
    summary: 'Events up to `seq` are handled: advances the stored cursor a reconnect resumes at.',
    payload: ackRequest,
    ack: ackReply,
  },
};

const SERVER_EVENTS: { [E in keyof AlertsServerEvents]: { summary: string; payload: object } } = {
  [AlertsEvent.Ready]: {
    summary: 'First on every connection: where the stream resumes.',
    payload: ready,
  },
  [AlertsEvent.Alert]: {
    summary: 'A fired alert: first the ones after `ready.from`, then live ones, in seq order.',
    payload: alertEvent,
  },
};

/** The `/alerts` namespace for the AsyncAPI document. */
export const ALERTS_ASYNCAPI: NamespaceDoc = {
  key: 'alerts',
  address: ALERTS_NAMESPACE,
  description:
    "The signed-in user's fired alerts, replayed then live, each once per connection in seq " +
    'order. Connect with `auth: {token, lastSeq?, lastEventId?}` (x-handshake-auth): the ' +
    'server emits `ready`, the events after `ready.from`, then live ones; the client sends ' +
    '`ack` for what it handled. Without a token the handshake is refused with `connect_error` ' +
    '`auth.unauthenticated`; an API key is disconnected. Contract: libs/alerts alerts.events.ts.',
  auth: handshake,
  clientEvents: CLIENT_EVENTS,
  serverEvents: SERVER_EVENTS,
};
