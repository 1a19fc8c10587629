/** The auctions queue: each lot's open and close at its time, and the sweep that backs them up. */
export const AUCTIONS_QUEUE = 'auctions';

export const AuctionsJob = {
  Open: 'auctions.open',
  Close: 'auctions.close',
  Sweep: 'auctions.sweep',
} as const;

/** Job ids `auctions-open:<id>` and `auctions-close:<id>:<ends_at ms>` (one per end time). */
export interface AuctionJob {
  auctionId: string;
}

/** `bucket` is the start of the schedule's time bucket (ISO), the job id's business key. */
export interface SweepAuctionsJob {
  bucket: string;
}

export const openJobId = (auctionId: string): string => `auctions-open:${auctionId}`;
export const closeJobId = (auctionId: string, endsAt: Date): string =>
  `auctions-close:${auctionId}:${endsAt.getTime()}`;
