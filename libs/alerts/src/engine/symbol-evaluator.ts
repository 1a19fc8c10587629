import { bucketStart, TIMEFRAME_NAMES, TIMEFRAMES, type Timeframe } from '@bourse/market-data';
import { CROSSING_OPERATORS, type AlertRule, type PriceSample } from '../alerts.types';
import { toUnits } from '../decimal';
import { ConditionIndex, holds, type Sample } from './condition-index';

/** A timeframe's bars as the evaluator tracks them: the forming bar's start, finished closes. */
export interface BarTrack {
  start: number;
  /** Closes of finished bars, oldest first, at most `maxBars + 1` of them. */
  closes: string[];
}

/** What survives an evaluator: the last tick evaluated and the bars seen, per symbol. */
export interface SymbolState {
  symbol: string;
  lastSeq: number;
  lastPrice: string;
  lastTs: number;
  bars: Partial<Record<Timeframe, BarTrack>>;
}

/** A rule whose condition held, with the key that makes its event unique (rule + bar or tick). */
export interface Fire {
  rule: AlertRule;
  triggerKey: string;
  price: string;
  /** When it became true: the tick's time, or the end of the bar that closed. */
  ts: number;
  tickSeq: number;
}

/** One tick's outcome: the state to store, the rules to fire and those found expired. */
export interface Evaluation {
  tick: PriceSample;
  state: SymbolState;
  fires: Fire[];
  expired: AlertRule[];
  /** Rules read from the index for this tick (the cost of the tick). */
  examined: number;
  /**
   * Whether the state must be stored with this tick: it fired or expired something, closed a
   * bar, or the stored state is STORE_EVERY_MS old. A tick that does none of these changes
   * nothing a successor could get wrong: starting from an older price, it sees the same
   * crossings (none fired in between, or that tick would have been stored).
   */
  store: boolean;
}

/** Tick time after which the state is stored even when nothing fired. */
export const STORE_EVERY_MS = 5_000;

interface ClosedBar {
  timeframe: Timeframe;
  start: number;
  closes: string[];
}

/**
 * The rules of one symbol and its evaluation state. `evaluate` is pure: it answers what the tick
 * fires and the next state, which `apply` adopts once the tick's transaction has committed, so a
 * tick that did not commit leaves the evaluator as it was.
 */
export class SymbolEvaluator {
  private readonly rules = new Map<string, AlertRule>();
  private readonly live = new ConditionIndex();
  private readonly atClose = new Map<Timeframe, ConditionIndex>();
  private storedTs: number;

  constructor(
    readonly symbol: string,
    private state: SymbolState | undefined,
    private readonly maxBars: number,
  ) {
    this.storedTs = state?.lastTs ?? 0;
  }

  get lastSeq(): number {
    return this.state?.lastSeq ?? 0;
  }

  get ruleCount(): number {
    return this.rules.size;
  }

  /** Adds or replaces a rule; only active ones are indexed. */
  put(rule: AlertRule): void {
    this.drop(rule.id);
    if (rule.status !== 'active') {
      return;
    }
    this.rules.set(rule.id, rule);
    this.indexOf(rule).add(rule);
  }

  drop(ruleId: string): void {
    const rule = this.rules.get(ruleId);
    if (rule) {
      this.rules.delete(ruleId);
      this.indexOf(rule).remove(rule);
    }
  }

  /** What `tick` fires; undefined for a tick at or before the last one evaluated. */
  evaluate(tick: PriceSample): Evaluation | undefined {
    const prev = this.state;
    if (prev && tick.seq <= prev.lastSeq) {
      return undefined;
    }
    const { bars, closed } = this.advanceBars(prev, tick);
    const state: SymbolState = {
      symbol: this.symbol,
      lastSeq: tick.seq,
      lastPrice: tick.price,
      lastTs: tick.ts,
      bars,
    };
    const fires: Fire[] = [];
    const expired = new Set<AlertRule>();
    let examined = 0;
    const judge = (index: ConditionIndex, sample: Sample, at: Moment): void => {
      for (const rule of index.candidates(sample)) {
        examined += 1;
        if (!at.armed(rule) || !holds(rule, sample)) {
          continue;
        }
        if (rule.expiresAt && rule.expiresAt.getTime() <= at.ts) {
          expired.add(rule);
          continue;
        }
        const triggerKey = at.key(rule);
        if (triggerKey !== undefined) {
          fires.push({ rule, triggerKey, price: at.price, ts: at.ts, tickSeq: tick.seq });
        }
      }
    };
    // Bars that closed on this tick closed before it: their firings come first.
    for (const bar of closed) {
      const index = this.atClose.get(bar.timeframe);
      const n = bar.closes.length;
      if (!index || n === 0) {
        continue;
      }
      const end = bar.start + TIMEFRAMES[bar.timeframe];
      judge(
        index,
        {
          prev: n > 1 ? toUnits(bar.closes[n - 2]!) : undefined,
          cur: toUnits(bar.closes[n - 1]!),
          ref: (rule) => closeBefore(bar, rule.bars!, 1),
        },
        {
          ts: end,
          price: bar.closes[n - 1]!,
          // The previous close must be a sample taken after arming: the bar before must have
          // ended after it (state operators: this bar).
          armed: (rule) => (isCrossing(rule) ? bar.start : end) > rule.armedAfterTs,
          key: (rule) =>
            rule.lastFiredKey === `close:${bar.start}` ? undefined : `close:${bar.start}`,
        },
      );
    }
    judge(
      this.live,
      {
        prev: prev ? toUnits(prev.lastPrice) : undefined,
        cur: toUnits(tick.price),
        ref: (rule) => closeBefore(bars[rule.timeframe], rule.bars!, 0),
      },
      {
        ts: tick.ts,
        price: tick.price,
        armed: (rule) =>
          isCrossing(rule)
            ? prev !== undefined && prev.lastSeq > rule.armedAfterSeq
            : tick.seq > rule.armedAfterSeq,
        key: (rule) => liveKey(rule, tick),
      },
    );

    const store =
      fires.length > 0 ||
      expired.size > 0 ||
      closed.length > 0 ||
      !prev ||
      tick.ts - this.storedTs >= STORE_EVERY_MS;

    return { tick, state, fires, expired: [...expired], examined, store };
  }

  /** Adopts a committed tick: its state, and the firings and expiries it stored. */
  apply(evaluation: Evaluation, fired: readonly Fire[], expired: readonly AlertRule[]): void {
    this.state = evaluation.state;
    if (evaluation.store) {
      this.storedTs = evaluation.state.lastTs;
    }
    for (const fire of fired) {
      const rule = this.rules.get(fire.rule.id);
      if (!rule) {
        continue;
      }
      const next: AlertRule = {
        ...rule,
        lastFiredKey: fire.triggerKey,
        lastFiredAt: fire.ts,
        fireCount: rule.fireCount + 1,
        status: rule.frequency === 'only_once' ? 'fired' : rule.status,
      };
      this.put(next);
    }
    for (const rule of expired) {
      this.drop(rule.id);
    }
  }

  private indexOf(rule: AlertRule): ConditionIndex {
    if (rule.frequency !== 'once_per_bar_close') {
      return this.live;
    }
    let index = this.atClose.get(rule.timeframe);
    if (!index) {
      index = new ConditionIndex();
      this.atClose.set(rule.timeframe, index);
    }

    return index;
  }

  /** The bars after `tick`: a timeframe whose bucket changed closed at the previous price. */
  private advanceBars(
    prev: SymbolState | undefined,
    tick: PriceSample,
  ): { bars: SymbolState['bars']; closed: ClosedBar[] } {
    const bars: SymbolState['bars'] = {};
    const closed: ClosedBar[] = [];
    for (const timeframe of TIMEFRAME_NAMES) {
      const start = bucketStart(tick.ts, timeframe);
      const track = prev?.bars[timeframe];
      if (!prev || !track) {
        bars[timeframe] = { start, closes: [] };
        continue;
      }
      if (start <= track.start) {
        bars[timeframe] = track;
        continue;
      }
      // Bars without ticks closed at the same price: a gap still counts its bars.
      const elapsed = Math.min((start - track.start) / TIMEFRAMES[timeframe], this.maxBars + 1);
      const closes = [...track.closes, ...Array<string>(elapsed).fill(prev.lastPrice)].slice(
        -(this.maxBars + 1),
      );
      bars[timeframe] = { start, closes };
      closed.push({
        timeframe,
        start: track.start,
        closes: closes.slice(0, closes.length - elapsed + 1),
      });
    }

    return { bars, closed };
  }
}

/** The moment a set of rules is judged at: its time, price, arming rule and trigger key. */
interface Moment {
  ts: number;
  price: string;
  armed(rule: AlertRule): boolean;
  key(rule: AlertRule): string | undefined;
}

const isCrossing = (rule: AlertRule): boolean => CROSSING_OPERATORS.includes(rule.operator);

/** The close `bars` bars back, `skip` finished bars from the end (1 at a bar's own close). */
function closeBefore(track: BarTrack | undefined, bars: number, skip: number): bigint | undefined {
  const closes = track?.closes ?? [];
  const at = closes.length - skip - bars;

  return at >= 0 && at < closes.length ? toUnits(closes[at]!) : undefined;
}

/** A live rule's trigger key for `tick`, or undefined while its frequency holds it back. */
function liveKey(rule: AlertRule, tick: PriceSample): string | undefined {
  switch (rule.frequency) {
    case 'only_once':
      // Per revision: a fired rule re-armed by its owner may fire once more.
      return `once:${rule.revision}`;
    case 'once_per_bar': {
      const key = `bar:${bucketStart(tick.ts, rule.timeframe)}`;

      return rule.lastFiredKey === key ? undefined : key;
    }
    case 'every_time':
      return rule.lastFiredAt !== undefined &&
        tick.ts - rule.lastFiredAt < rule.minIntervalSeconds * 1000
        ? undefined
        : `tick:${tick.seq}`;
    case 'once_per_bar_close':
      return undefined;
  }
}
