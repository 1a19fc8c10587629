// The schemas are typed by each namespace's own map of its events (`JsonSchemaOf` the contract's
// payloads), so a missing or renamed event fails to compile there; here they are plain objects.

/** A client event of a namespace: its payload and, when it takes one, its ack's schema. */
export interface ClientEventDoc {
  summary: string;
  payload: object;
  ack?: object;
}

/** A server event of a namespace: its payload's schema. */
export interface ServerEventDoc {
  summary: string;
  payload: object;
}

/** One Socket.IO namespace as an AsyncAPI 3 channel, with the operations on it. */
export interface NamespaceDoc {
  /** The channel's key in the document, e.g. `notifications`. */
  key: string;
  /** The namespace, e.g. `/notifications`. */
  address: string;
  /** Handshake, auth and refusals: what a client must know before its first event. */
  description: string;
  /** The handshake's `auth` object, when the namespace reads more than an optional token. */
  auth?: object;
  clientEvents: Record<string, ClientEventDoc>;
  serverEvents: Record<string, ServerEventDoc>;
}

const ref = (path: string) => ({ $ref: `#/${path}` });

/**
 * The channel and operations of a namespace, from the api's side: it receives the client events
 * (each ack an AsyncAPI reply) and sends the server events. A server event named like a client
 * event (one name both ways) gets the message key `<event>_event`; the message `name` stays the
 * Socket.IO event. Operation ids are `<channel>.<message key>`, unique across namespaces.
 */
export function namespaceChannel(doc: NamespaceDoc): {
  channel: Record<string, unknown>;
  operations: Record<string, unknown>;
} {
  const channel = `channels/${doc.key}`;
  const messages: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  for (const [event, spec] of Object.entries(doc.clientEvents)) {
    messages[event] = { name: event, summary: spec.summary, payload: spec.payload };
    operations[`${doc.key}.${event}`] = {
      action: 'receive',
      channel: ref(channel),
      summary: spec.summary,
      messages: [ref(`${channel}/messages/${event}`)],
      ...(spec.ack && {
        reply: { channel: ref(channel), messages: [ref(`${channel}/messages/${event}_ack`)] },
      }),
    };
    if (spec.ack) {
      messages[`${event}_ack`] = { name: `${event} ack`, payload: spec.ack };
    }
  }
  for (const [event, spec] of Object.entries(doc.serverEvents)) {
    const key = event in doc.clientEvents ? `${event}_event` : event;
    messages[key] = { name: event, summary: spec.summary, payload: spec.payload };
    operations[`${doc.key}.${key}`] = {
      action: 'send',
      channel: ref(channel),
      summary: spec.summary,
      messages: [ref(`${channel}/messages/${key}`)],
    };
  }

  return {
    channel: {
      address: doc.address,
      description: doc.description,
      messages,
      ...(doc.auth && { 'x-handshake-auth': doc.auth }),
    },
    operations,
  };
}
