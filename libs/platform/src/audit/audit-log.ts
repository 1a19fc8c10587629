import { Injectable } from '@nestjs/common';
import { principalKey, type Principal } from '../auth/principal';
import { Database, rows, type Tx } from '../database/database';
import { newId } from '../database/ids';
import { isAuditAction, isAuditTarget } from './audit-vocabulary';

/** What an admin (or a server-to-server key) did: `<kind>.<verb>`, declared by its lib. */
export type AuditAction = string;

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
 * The trail of what admins and server-to-server keys did to users, API keys and what the libs
 * declared (auditVocabulary): who, what, to what, when. Each event is written in the transaction of the change itself, so
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
    // A typo would write an event no filter finds: refused like any other programming error.
    if (!isAuditAction(event.action) || !isAuditTarget(event.target)) {
      throw new Error(`Undeclared audit action or target: ${event.action} ${event.target}`);
    }
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
