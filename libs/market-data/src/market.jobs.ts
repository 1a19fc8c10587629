/** The market-data queue: housekeeping of stored prices. */
export const MARKET_QUEUE = 'market';

export const MarketJob = {
  PruneTicks: 'market.prune-ticks',
} as const;

/** `bucket` is the start of the hour the prune was scheduled for (ISO), the job id's key. */
export interface PruneTicksJob {
  bucket: string;
}
