/** A price as a provider reported it, before sequencing. `price` is a decimal string. */
export interface Quote {
  symbol: string;
  price: string;
  /** Provider's time of the price, epoch milliseconds. */
  ts: number;
}

/**
 * A normalized tick as stored and fanned out: price in the symbol's scale (decimal string),
 * `ts` epoch milliseconds, `seq` strictly increasing per symbol (also across leader changes),
 * so a client detects a gap and re-snapshots.
 */
export interface Tick {
  symbol: string;
  price: string;
  ts: number;
  seq: number;
}
