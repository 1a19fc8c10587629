import type { SymbolSpec } from '../symbols';
import type { Quote } from '../tick';
import { formatUnits, parseDecimal, toScale } from './decimal';
import {
  deliver,
  resolveDeps,
  type PriceProvider,
  type ProviderDeps,
  type ResolvedDeps,
} from './price-provider';

/** Annualized volatility of the walk: charts look like a market at every timeframe. */
const ANNUAL_VOLATILITY = 0.2;
const YEAR_MS = 365 * 24 * 60 * 60_000;
// A uniform draw in [-1, 1) times sqrt(3) has unit variance, and is cheaper than a Gaussian.
const UNIT_VARIANCE = Math.sqrt(3);

/** mulberry32: a tiny, fast 32-bit PRNG; plenty for a demo feed, and fully reproducible. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;

  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);

    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Each symbol draws from its own stream (seed mixed with the symbol's FNV-1a hash), so adding or
// reordering symbols does not change the others' prices.
function symbolSeed(seed: number, symbol: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < symbol.length; i++) {
    hash = Math.imul(hash ^ symbol.charCodeAt(i), 0x01000193);
  }

  return (hash ^ Math.imul(seed | 0, 0x9e3779b1)) >>> 0;
}

/**
 * A multiplicative random walk per symbol, kept in integer minor units (safe integers, faster
 * than bigint and exact far beyond any price here). Each step moves by at most
 * sqrt(3)·sigma (well under 1%), rounded, and the floor of one minor unit keeps it positive.
 */
class RandomWalk {
  private readonly units: number[];
  private readonly draws: (() => number)[];
  private readonly sigma: number;

  constructor(
    seed: number,
    private readonly symbols: readonly SymbolSpec[],
    intervalMs: number,
    resumeFrom: Readonly<Record<string, string>> = {},
  ) {
    this.units = symbols.map(
      (spec) => resumedUnits(spec, resumeFrom[spec.symbol]) ?? startUnits(spec),
    );
    this.draws = symbols.map((spec) => mulberry32(symbolSeed(seed, spec.symbol)));
    this.sigma = ANNUAL_VOLATILITY * Math.sqrt(intervalMs / YEAR_MS) * UNIT_VARIANCE;
  }

  /** The current price of symbol `i`, then one step forward. */
  next(i: number): string {
    const current = this.units[i]!;
    const move = Math.round(current * this.sigma * (this.draws[i]!() * 2 - 1));
    this.units[i] = Math.min(Math.max(1, current + move), Number.MAX_SAFE_INTEGER);

    return formatUnits(current, this.symbols[i]!.scale);
  }
}

/** `price` in the symbol's minor units, if it is a usable walk position. */
function resumedUnits(spec: SymbolSpec, price: string | undefined): number | undefined {
  const value = price === undefined ? undefined : parseDecimal(price);
  const units = value && toScale(value, spec.scale);

  return units && units > 0n && units <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(units)
    : undefined;
}

function startUnits(spec: SymbolSpec): number {
  const start = parseDecimal(spec.simulatedStart);
  const units = start ? toScale(start, spec.scale) : 0n;
  if (units <= 0n || units > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new Error(`${spec.symbol}: simulatedStart ${spec.simulatedStart} is not a usable price`);
  }

  return Number(units);
}

/**
 * The simulated feed without timers, for backfills: `steps` rounds of one quote per symbol,
 * round k at `fromTs + k * intervalMs`, the first round at each symbol's `simulatedStart`.
 * Yields `steps * symbols.length` quotes, the same prices the live provider streams for the same
 * seed and interval (1000 / ticksPerSecond).
 */
export function* simulatedQuotes(
  seed: number,
  symbols: readonly SymbolSpec[],
  fromTs: number,
  steps: number,
  intervalMs: number,
): Generator<Quote, void, undefined> {
  const walk = new RandomWalk(seed, symbols, intervalMs);
  const count = symbols.length;
  for (let step = 0; step < steps; step++) {
    const ts = fromTs + step * intervalMs;
    for (let i = 0; i < count; i++) {
      yield { symbol: symbols[i]!.symbol, price: walk.next(i), ts };
    }
  }
}

export interface SimulatedOptions {
  seed: number;
  ticksPerSecond: number;
  /**
   * Last published price per symbol: a new leader walks on from there, so a deploy or failover
   * does not jump the chart back to `simulatedStart`. A symbol missing here starts there.
   */
  resumeFrom?: Readonly<Record<string, string>>;
}

/**
 * Streams the seeded walk at `ticksPerSecond` per symbol, stamped by the injected clock: the same
 * steps for the same seed, from `resumeFrom` (or `simulatedStart`).
 */
export class SimulatedProvider implements PriceProvider {
  readonly name = 'simulated' as const;
  private readonly deps: ResolvedDeps;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly options: SimulatedOptions,
    private readonly symbols: readonly SymbolSpec[],
    deps?: ProviderDeps,
  ) {
    this.deps = resolveDeps(this.name, deps);
  }

  start(onQuote: (quote: Quote) => void): Promise<void> {
    if (this.timer) {
      return Promise.reject(new Error('simulated provider already started'));
    }
    const intervalMs = 1000 / this.options.ticksPerSecond;
    const walk = new RandomWalk(
      this.options.seed,
      this.symbols,
      intervalMs,
      this.options.resumeFrom,
    );
    const tick = (): void => {
      const ts = this.deps.now();
      for (let i = 0; i < this.symbols.length; i++) {
        deliver(
          onQuote,
          { symbol: this.symbols[i]!.symbol, price: walk.next(i), ts },
          this.deps.logger,
        );
      }
    };
    this.timer = setInterval(tick, intervalMs);
    this.deps.logger.log(
      `Simulating ${this.symbols.length} symbols at ${this.options.ticksPerSecond} ticks/s (seed ${this.options.seed})`,
    );

    return Promise.resolve();
  }

  stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;

    return Promise.resolve();
  }
}
