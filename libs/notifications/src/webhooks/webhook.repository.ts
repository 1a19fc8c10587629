import { newId, rows, type Tx } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import type {
  DeliveryState,
  WebhookAttempt,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookMessage,
} from './webhook.types';

interface EndpointRow {
  id: string;
  owner: string;
  url: string;
  event_types: string[];
  secret: string;
  previous_secret: string | null;
  previous_expires_at: Date | null;
  enabled: boolean;
  disabled_reason: string | null;
  failing_since: Date | null;
  created_at: Date;
}

const toEndpoint = (r: EndpointRow): WebhookEndpoint => ({
  id: r.id,
  owner: r.owner,
  url: r.url,
  eventTypes: r.event_types,
  secret: r.secret,
  previousSecret: r.previous_secret ?? undefined,
  previousExpiresAt: r.previous_expires_at ?? undefined,
  enabled: r.enabled,
  disabledReason: r.disabled_reason ?? undefined,
  failingSince: r.failing_since ?? undefined,
  createdAt: r.created_at,
});

const DELIVERY = `d.id, d.message_id AS "messageId", d.endpoint_id AS "endpointId",
                  m.event_type AS "eventType", d.state, d.attempts, d.created_at AS "createdAt",
                  d.settled_at AS "settledAt"`;

/** A delivery due for an attempt, with what sending it needs. */
export interface DueDelivery {
  delivery: WebhookDelivery;
  message: WebhookMessage;
  endpoint: WebhookEndpoint;
}

@Injectable()
export class WebhookRepository {
  async insertEndpoint(
    tx: Tx,
    e: Pick<WebhookEndpoint, 'id' | 'owner' | 'url' | 'eventTypes' | 'secret'>,
  ): Promise<WebhookEndpoint> {
    const [row] = await rows<EndpointRow>(
      tx,
      `INSERT INTO webhook_endpoints (id, owner, url, event_types, secret)
       VALUES ($1, $2, $3, $4::text[], $5) RETURNING *`,
      [e.id, e.owner, e.url, e.eventTypes, e.secret],
    );

    return toEndpoint(row!);
  }

  async endpoint(tx: Tx, id: string, lock = false): Promise<WebhookEndpoint | undefined> {
    const [row] = await rows<EndpointRow>(
      tx,
      `SELECT * FROM webhook_endpoints WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [id],
    );

    return row && toEndpoint(row);
  }

  /** Newest first; every endpoint when `owner` is undefined (an admin's view). */
  async endpoints(tx: Tx, owner: string | undefined): Promise<WebhookEndpoint[]> {
    const found = await rows<EndpointRow>(
      tx,
      `SELECT * FROM webhook_endpoints WHERE $1::text IS NULL OR owner = $1 ORDER BY id DESC`,
      [owner ?? null],
    );

    return found.map(toEndpoint);
  }

  async updateEndpoint(
    tx: Tx,
    id: string,
    change: { url?: string; eventTypes?: string[]; enabled?: boolean },
  ): Promise<WebhookEndpoint> {
    // Enabling clears the reason and the failure clock: the partner says it is fixed.
    const [row] = await rows<EndpointRow>(
      tx,
      `UPDATE webhook_endpoints
          SET url = coalesce($2, url),
              event_types = coalesce($3::text[], event_types),
              enabled = coalesce($4, enabled),
              disabled_reason = CASE WHEN $4 IS NULL THEN disabled_reason
                                     WHEN $4 THEN NULL ELSE 'disabled by its owner' END,
              failing_since = CASE WHEN $4 THEN NULL ELSE failing_since END
        WHERE id = $1 RETURNING *`,
      [id, change.url ?? null, change.eventTypes ?? null, change.enabled ?? null],
    );

    return toEndpoint(row!);
  }

  async rotateSecret(tx: Tx, id: string, secret: string, graceUntil: Date): Promise<void> {
    await rows(
      tx,
      `UPDATE webhook_endpoints
          SET previous_secret = secret, previous_expires_at = $3, secret = $2
        WHERE id = $1`,
      [id, secret, graceUntil],
    );
  }

  async disable(tx: Tx, id: string, reason: string): Promise<void> {
    await rows(
      tx,
      `UPDATE webhook_endpoints SET enabled = false, disabled_reason = $2 WHERE id = $1 AND enabled`,
      [id, reason],
    );
  }

  /**
   * A success stops the failure clock. An endpoint that was not failing is left as it is: no
   * write and no row lock, so concurrent successes to one endpoint do not queue on its row.
   */
  async markSucceeded(tx: Tx, id: string): Promise<void> {
    await rows(
      tx,
      `UPDATE webhook_endpoints SET failing_since = NULL
        WHERE id = $1 AND failing_since IS NOT NULL`,
      [id],
    );
  }

  /** A failure starts the failure clock if it is not running; returns the endpoint. */
  async markFailed(tx: Tx, id: string): Promise<WebhookEndpoint> {
    const [row] = await rows<EndpointRow>(
      tx,
      `UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, now())
        WHERE id = $1 RETURNING *`,
      [id],
    );

    return toEndpoint(row!);
  }

  async insertMessage(
    tx: Tx,
    m: { id: string; eventType: string; payload: object; ownerFilter?: string },
  ): Promise<void> {
    await rows(
      tx,
      `INSERT INTO webhook_messages (id, event_type, payload, owner_filter)
       VALUES ($1, $2, $3::jsonb, $4)`,
      [m.id, m.eventType, JSON.stringify(m.payload), m.ownerFilter ?? null],
    );
  }

  /**
   * One delivery per enabled endpoint subscribed to the message's type (and of its owner, when
   * the message names one); returns the deliveries' ids.
   */
  async fanOut(
    tx: Tx,
    message: { id: string; eventType: string; ownerFilter?: string },
  ): Promise<string[]> {
    const endpoints = await rows<{ id: string }>(
      tx,
      `SELECT id FROM webhook_endpoints
        WHERE enabled AND $1 = ANY (event_types) AND ($2::text IS NULL OR owner = $2)`,
      [message.eventType, message.ownerFilter ?? null],
    );
    const ids = endpoints.map(() => newId());
    await rows(
      tx,
      `INSERT INTO webhook_deliveries (id, message_id, endpoint_id)
       SELECT d, $1, e FROM unnest($2::uuid[], $3::uuid[]) AS t (d, e)`,
      [message.id, ids, endpoints.map((e) => e.id)],
    );

    return ids;
  }

  /**
   * The messages of `[since, until)` the endpoint subscribes to, none from before it existed (at
   * most `limit`, oldest first),
   * each given a pending delivery: a new one, or its settled one reopened. Returns their ids and
   * the attempt each is due.
   */
  async reopenWindow(
    tx: Tx,
    endpoint: WebhookEndpoint,
    since: Date,
    until: Date,
    limit: number,
  ): Promise<{ id: string; attempts: number }[]> {
    const messages = await rows<{ id: string }>(
      tx,
      `SELECT id FROM webhook_messages
        WHERE created_at >= greatest($1::timestamptz, $6::timestamptz) AND created_at < $2
          AND event_type = ANY ($3::text[]) AND (owner_filter IS NULL OR owner_filter = $4)
        ORDER BY created_at
        LIMIT $5`,
      [since, until, endpoint.eventTypes, endpoint.owner, limit, endpoint.createdAt],
    );

    return rows<{ id: string; attempts: number }>(
      tx,
      `INSERT INTO webhook_deliveries (id, message_id, endpoint_id)
       SELECT d, m, $1 FROM unnest($2::uuid[], $3::uuid[]) AS t (d, m)
       ON CONFLICT (message_id, endpoint_id) DO UPDATE SET state = 'pending', settled_at = NULL
       RETURNING id, attempts`,
      [endpoint.id, messages.map(() => newId()), messages.map((m) => m.id)],
    );
  }

  /** Reopens one delivery; undefined when it does not exist. */
  async reopen(tx: Tx, id: string): Promise<WebhookDelivery | undefined> {
    const [row] = await rows<WebhookDelivery>(
      tx,
      `WITH d AS (UPDATE webhook_deliveries SET state = 'pending', settled_at = NULL
                   WHERE id = $1 RETURNING *)
       SELECT ${DELIVERY} FROM d JOIN webhook_messages m ON m.id = d.message_id`,
      [id],
    );

    return row;
  }

  async delivery(tx: Tx, id: string): Promise<WebhookDelivery | undefined> {
    const [row] = await rows<WebhookDelivery>(
      tx,
      `SELECT ${DELIVERY} FROM webhook_deliveries d JOIN webhook_messages m ON m.id = d.message_id
        WHERE d.id = $1`,
      [id],
    );

    return row;
  }

  /**
   * Locks a pending delivery whose next attempt is `attempt`: a duplicate or stale job finds
   * nothing, so each attempt is sent by one job.
   */
  async lockDue(tx: Tx, id: string, attempt: number): Promise<DueDelivery | undefined> {
    const [row] = await rows<{ d: WebhookDelivery; m: WebhookMessage; e: EndpointRow }>(
      tx,
      `SELECT json_build_object('id', d.id, 'messageId', d.message_id, 'endpointId', d.endpoint_id,
                                'eventType', m.event_type, 'state', d.state,
                                'attempts', d.attempts) AS d,
              json_build_object('id', m.id, 'eventType', m.event_type, 'payload', m.payload,
                                'createdAt', m.created_at) AS m,
              to_json(e) AS e
         FROM webhook_deliveries d
         JOIN webhook_messages m ON m.id = d.message_id
         JOIN webhook_endpoints e ON e.id = d.endpoint_id
        WHERE d.id = $1 AND d.state = 'pending' AND d.attempts = $2
        FOR UPDATE OF d`,
      [id, attempt],
    );
    if (!row) {
      return undefined;
    }
    const endpoint = toEndpoint({
      ...row.e,
      created_at: new Date(row.e.created_at),
      previous_expires_at: row.e.previous_expires_at && new Date(row.e.previous_expires_at),
      failing_since: row.e.failing_since && new Date(row.e.failing_since),
    });

    return {
      delivery: row.d,
      message: { ...row.m, createdAt: new Date(row.m.createdAt) },
      endpoint,
    };
  }

  async recordAttempt(
    tx: Tx,
    deliveryId: string,
    attempt: Omit<WebhookAttempt, 'at'>,
    state: DeliveryState,
  ): Promise<void> {
    await rows(
      tx,
      `WITH a AS (
         INSERT INTO webhook_attempts (delivery_id, attempt, status, latency_ms, response, error)
         VALUES ($1, $2, $3, $4, $5, $6))
       UPDATE webhook_deliveries
          SET attempts = $2 + 1, state = $7,
              settled_at = CASE WHEN $7 = 'pending' THEN NULL ELSE now() END
        WHERE id = $1`,
      [
        deliveryId,
        attempt.attempt,
        attempt.status ?? null,
        attempt.latencyMs,
        attempt.response ?? null,
        attempt.error ?? null,
        state,
      ],
    );
  }

  /** The endpoint's deliveries, newest first, each with its attempts. */
  async deliveries(
    tx: Tx,
    endpointId: string,
    page: { cursor?: string; limit: number },
  ): Promise<(WebhookDelivery & { attemptLog: WebhookAttempt[] })[]> {
    return rows(
      tx,
      `SELECT ${DELIVERY},
              coalesce((SELECT json_agg(json_build_object(
                         'attempt', a.attempt, 'at', a.at, 'status', a.status,
                         'latencyMs', a.latency_ms, 'response', a.response, 'error', a.error)
                         ORDER BY a.attempt)
                          FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]') AS "attemptLog"
         FROM webhook_deliveries d JOIN webhook_messages m ON m.id = d.message_id
        WHERE d.endpoint_id = $1 AND ($2::uuid IS NULL OR d.id < $2)
        ORDER BY d.id DESC
        LIMIT $3`,
      [endpointId, page.cursor ?? null, page.limit + 1],
    );
  }

  async backlog(tx: Tx): Promise<number> {
    const [row] = await rows<{ count: number }>(
      tx,
      `SELECT count(*)::int AS count FROM webhook_deliveries WHERE state = 'pending'`,
    );

    return row!.count;
  }
}
