import { Injectable } from '@nestjs/common';
import { principalKey, type Principal } from '../auth/principal';
import { Database, rows, type Tx } from '../database/database';
import { newId } from '../database/ids';

/** What an admin (or a `ledger` key) did; the target says to what. */
export const AUDIT_ACTIONS = [
  'user.disable',
  'user.enable',
  'api_key.create',
  'api_key.revoke',
  'ledger_account.freeze',
  'ledger_account.unfreeze',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** `<kind>:<id>` of what an action was done to. */
export const AUDIT_TARGET_PATTERN = /^(user|api_key|ledger_account):[0-9a-f-]{36}$/;

/** Who asks for an admin change, and why (the caller's words, kept with the event). */
export interface AuditContext {
  actor: Principal | undefined;
  reason?: string;
}

export interface AuditEvent {
  /** UUIDv7: ids sort in time order, and pages are keyed on them. */
  id: string;
  at: Date;
  /** `user:<id>` or `apikey:<id>`, as the idempotency scope names callers. */
  actor: string;
  action: AuditAction;
  target: string;
  details: Record<string, unknown>;
}

/**
 * The trail of what admins and server-to-server keys did to users, API keys and ledger accounts:
 * who, what, to what, when. Each event is written in the transaction of the change itself, so
 * there is no change without its event and no event for a change that rolled back; the table
 * refuses UPDATE, DELETE and TRUNCATE.
 */
@Injectable()
export class AuditLog {
  constructor(private readonly db: Database) {}

  async record(
    tx: Tx,
    context: AuditContext,
    event: { action: AuditAction; target: string; details?: Record<string, unknown> },
  ): Promise<void> {
    const details = context.reason ? { ...event.details, reason: context.reason } : event.details;
    await rows(
      tx,
      `INSERT INTO audit_events (id, actor, action, target, details) VALUES ($1, $2, $3, $4, $5)`,
      [newId(), principalKey(context.actor), event.action, event.target, details ?? {}],
    );
  }

  /** Newest first, of one target or action when given; `cursor`: the previous page's last id. */
  async page(
    filter: { target?: string; action?: AuditAction },
    page: { cursor?: string; limit: number },
  ): Promise<{ events: AuditEvent[]; nextCursor?: string }> {
    const events = await rows<AuditEvent>(
      this.db.manager,
      `SELECT id, at, actor, action, target, details
         FROM audit_events
        WHERE ($1::text IS NULL OR target = $1) AND ($2::text IS NULL OR action = $2)
          AND ($3::uuid IS NULL OR id < $3)
        ORDER BY id DESC
        LIMIT $4`,
      [filter.target ?? null, filter.action ?? null, page.cursor ?? null, page.limit + 1],
    );
    const more = events.length > page.limit;
    const shown = more ? events.slice(0, page.limit) : events;

    return { events: shown, nextCursor: more ? shown.at(-1)!.id : undefined };
  }
}
