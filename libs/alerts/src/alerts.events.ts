// The platform's ack types, by their own module: it has no imports, so apps/web can check them.
import type { SocketAck } from '@bourse/platform/sockets/socket-ack';

/**
 * The wire contract of the `/alerts` namespace. Plain types only, so a browser client can use
 * it. Connect with `auth: { token, lastSeq?, lastEventId? }` (the seq and id of the last event
 * the client holds); the server emits `ready`, then every event after the resume point in seq
 * order, then live ones; the client acknowledges with `ack`.
 */
export const ALERTS_NAMESPACE = '/alerts';

export const AlertsEvent = {
  /** Server -> client, first: where the stream resumes (`AlertsReady`). */
  Ready: 'ready',
  /** Server -> client: one fired alert (`AlertStreamEvent`), in seq order, once per connection. */
  Alert: 'alert',
  /** Client -> server: `{ seq }` handled; advances the stored cursor. */
  Ack: 'ack',
} as const;

/** The handshake's `auth` besides the token. */
export interface AlertsHandshake {
  token: string;
  lastSeq?: number;
  lastEventId?: string;
}

export interface AlertsReady {
  /** Events after this seq follow. */
  from: number;
  /** The stream's newest seq when the connection opened. */
  lastSeq: number;
  /** True when the client's `lastSeq`/`lastEventId` is not in this stream (e.g. a restore). */
  resync: boolean;
}

export interface AlertStreamEvent {
  id: string;
  seq: number;
  alertId: string;
  symbol: string;
  operator: string;
  price: string;
  triggeredAt: string;
  firedAt: string;
  message?: string;
}

export interface AckRequest {
  seq: number;
}

export type AckReply = SocketAck<{ ackedSeq: number }>;

export interface AlertsClientEvents {
  [AlertsEvent.Ack]: (request: AckRequest, ack: (reply: AckReply) => void) => void;
}

export interface AlertsServerEvents {
  [AlertsEvent.Ready]: (ready: AlertsReady) => void;
  [AlertsEvent.Alert]: (event: AlertStreamEvent) => void;
}
