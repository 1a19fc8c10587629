import { rows, type Tx } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import type { AlertEvent, Operator } from './alerts.types';
import type { SymbolState } from './engine/symbol-evaluator';

interface EventRow {
  id: string;
  user_id: string;
  seq: string;
  rule_id: string;
  symbol: string;
  operator: Operator;
  price: string;
  tick_seq: string;
  tick_ts: string;
  message: string | null;
  fired_at: Date;
}

const toEvent = (row: EventRow): AlertEvent => ({
  id: row.id,
  userId: row.user_id,
  seq: Number(row.seq),
  ruleId: row.rule_id,
  symbol: row.symbol,
  operator: row.operator,
  price: row.price,
  tickSeq: Number(row.tick_seq),
  tickTs: Number(row.tick_ts),
  message: row.message ?? undefined,
  firedAt: row.fired_at,
});

/** Where a user's stream stands: the last seq handed out and the acknowledged cursor. */
export interface StreamPosition {
  lastSeq: number;
  ackedSeq: number;
}

/** The evaluators' per-symbol state, and each user's ordered stream of fired events. */
@Injectable()
export class AlertStreamRepository {
  async symbolState(tx: Tx, symbol: string): Promise<SymbolState | undefined> {
    const [row] = await rows<{
      last_seq: string;
      last_price: string;
      last_ts: string;
      bars: SymbolState['bars'];
    }>(tx, `SELECT last_seq, last_price, last_ts, bars FROM alert_symbol_state WHERE symbol = $1`, [
      symbol,
    ]);

    return (
      row && {
        symbol,
        lastSeq: Number(row.last_seq),
        lastPrice: row.last_price,
        lastTs: Number(row.last_ts),
        bars: row.bars,
      }
    );
  }

  /**
   * Stores the state after a tick, only if no evaluator stored this tick or a later one: the
   * first statement of a tick's transaction, so two evaluators on one symbol queue on its row and
   * the second finds the tick taken. False: superseded.
   */
  async advanceSymbol(tx: Tx, state: SymbolState): Promise<boolean> {
    const found = await rows(
      tx,
      `INSERT INTO alert_symbol_state (symbol, last_seq, last_price, last_ts, bars)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (symbol) DO UPDATE SET last_seq = EXCLUDED.last_seq,
         last_price = EXCLUDED.last_price, last_ts = EXCLUDED.last_ts, bars = EXCLUDED.bars,
         updated_at = now()
       WHERE alert_symbol_state.last_seq < EXCLUDED.last_seq
       RETURNING symbol`,
      [state.symbol, state.lastSeq, state.lastPrice, state.lastTs, JSON.stringify(state.bars)],
    );

    return found.length === 1;
  }

  /** The user's next seq; the row stays locked until the transaction ends, so seqs have no gaps. */
  async nextSeq(tx: Tx, userId: string): Promise<number> {
    const [row] = await rows<{ last_seq: string }>(
      tx,
      `INSERT INTO alert_streams (user_id, last_seq) VALUES ($1, 1)
       ON CONFLICT (user_id) DO UPDATE SET last_seq = alert_streams.last_seq + 1, updated_at = now()
       RETURNING last_seq`,
      [userId],
    );

    return Number(row!.last_seq);
  }

  async eventExists(tx: Tx, id: string): Promise<boolean> {
    return (await rows(tx, `SELECT 1 FROM alert_events WHERE id = $1`, [id])).length === 1;
  }

  async insertEvent(
    tx: Tx,
    event: Omit<AlertEvent, 'firedAt'> & { triggerKey: string },
  ): Promise<AlertEvent> {
    const [row] = await rows<EventRow>(
      tx,
      `INSERT INTO alert_events (id, user_id, seq, rule_id, trigger_key, symbol, operator, price,
         tick_seq, tick_ts, message)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *`,
      [
        event.id,
        event.userId,
        event.seq,
        event.ruleId,
        event.triggerKey,
        event.symbol,
        event.operator,
        event.price,
        event.tickSeq,
        event.tickTs,
        event.message ?? null,
      ],
    );

    return toEvent(row!);
  }

  async find(tx: Tx, id: string): Promise<AlertEvent | undefined> {
    const [row] = await rows<EventRow>(tx, `SELECT * FROM alert_events WHERE id = $1`, [id]);

    return row && toEvent(row);
  }

  /** The user's events with `seq > after`, in order. */
  async after(tx: Tx, userId: string, after: number, limit: number): Promise<AlertEvent[]> {
    const found = await rows<EventRow>(
      tx,
      `SELECT * FROM alert_events WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [userId, after, limit],
    );

    return found.map(toEvent);
  }

  async at(tx: Tx, userId: string, seq: number): Promise<AlertEvent | undefined> {
    const [row] = await rows<EventRow>(
      tx,
      `SELECT * FROM alert_events WHERE user_id = $1 AND seq = $2`,
      [userId, seq],
    );

    return row && toEvent(row);
  }

  async position(tx: Tx, userId: string): Promise<StreamPosition> {
    const [row] = await rows<{ last_seq: string; acked_seq: string }>(
      tx,
      `SELECT last_seq, acked_seq FROM alert_streams WHERE user_id = $1`,
      [userId],
    );

    return { lastSeq: Number(row?.last_seq ?? 0), ackedSeq: Number(row?.acked_seq ?? 0) };
  }

  /** Moves the cursor forward (never back, never past the last seq); answers where it is. */
  async ack(tx: Tx, userId: string, seq: number): Promise<number> {
    const [row] = await rows<{ acked_seq: string }>(
      tx,
      `UPDATE alert_streams SET acked_seq = GREATEST(acked_seq, LEAST($2, last_seq)),
         updated_at = now()
       WHERE user_id = $1 RETURNING acked_seq`,
      [userId, seq],
    );

    return Number(row?.acked_seq ?? 0);
  }
}
