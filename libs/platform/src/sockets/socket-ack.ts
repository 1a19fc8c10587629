/**
 * The acks every namespace answers with. Plain types with no imports, so a namespace's wire
 * contract can use them and still be type-checked inside a browser app (apps/web).
 */

/** What an ack says about a refused event: a `DomainError`'s code and message. */
export interface SocketError {
  code: string;
  message: string;
}

/** The ack of a refused event, the same in every namespace. */
export interface SocketRefusal {
  ok: false;
  error: SocketError;
}

/** An event's ack: its own fields on success, `{ ok: false, error }` otherwise. */
export type SocketAck<T extends object = object> = ({ ok: true } & T) | SocketRefusal;
