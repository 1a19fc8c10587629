import type { JsonSchemaOf, NamespaceDoc } from '@bourse/platform';
import { ORDER_STATES } from './order-states';
import { ORDER_EVENT, TOPUP_NAMESPACE, type OrderChangedPayload } from './topup.events';

// Checked against OrderChangedPayload (JsonSchemaOf): a renamed field fails to compile here.
const orderChanged = {
  title: 'OrderChanged',
  type: 'object',
  properties: {
    id: { type: 'string', description: 'The order, as in `GET /v1/topup/orders/{id}`.' },
    state: { type: 'string', enum: ORDER_STATES, description: 'Its state after the change.' },
    version: {
      type: 'integer',
      description: 'Grows with every change: an older version than one held is stale.',
    },
    failureReason: {
      oneOf: [{ type: 'string' }, { type: 'null' }],
      description: 'Why it failed, was cancelled or expired; null otherwise.',
    },
    updatedAt: { type: 'string', description: 'When it changed, ISO 8601.' },
  },
  required: ['id', 'state', 'version', 'failureReason', 'updatedAt'],
} as const satisfies JsonSchemaOf<OrderChangedPayload>;

/** The `/topup` namespace for the AsyncAPI document. */
export const TOPUP_ASYNCAPI: NamespaceDoc = {
  key: 'topup',
  address: TOPUP_NAMESPACE,
  description:
    'Top-up orders of the signed-in user, live. `auth: {token}` (a user access token) is ' +
    'required: without it the handshake is refused with `connect_error` ' +
    '`auth.unauthenticated`; an API key is disconnected (API clients follow orders by webhook). ' +
    'No client events: the order over REST is the record after a reconnect. Contract: ' +
    'libs/orders topup.events.ts.',
  clientEvents: {},
  serverEvents: {
    [ORDER_EVENT]: {
      summary: "One of the user's orders changed state.",
      payload: orderChanged,
    },
  } satisfies Record<typeof ORDER_EVENT, { summary: string; payload: object }>,
};
