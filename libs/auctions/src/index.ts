export { AUCTIONS_CONFIG, type AuctionsAppConfig } from './auctions.config';
export { AuctionsModule } from './auctions.module';
export { AuctionsService } from './auctions.service';
export { BidsService } from './bids.service';
export { AuctionClosingService, type CloseOutcome } from './auction-closing.service';
export { AUCTION_IMAGE } from './auction-image';
export { parseBid, parseJoin } from './auctions.protocol';
export {
  AUCTIONS_QUEUE,
  AuctionsJob,
  closeJobId,
  openJobId,
  type AuctionJob,
  type SweepAuctionsJob,
} from './auctions.jobs';
export {
  AUCTIONS_NAMESPACE,
  AuctionsEvent,
  auctionRoom,
  countdownMs,
  type AuctionSnapshot,
  type AuctionsClientEvents,
  type AuctionsServerEvents,
  type BidAck,
  type BidAnswer,
  type BidEvent,
  type BidPayload,
  type BidRefusal,
  type ClosedEvent,
  type ExtendedEvent,
  type JoinAck,
  type JoinPayload,
  type LeaveAck,
} from './auctions.events';
export {
  AUCTION_OUTCOMES,
  AUCTION_STATES,
  DEFAULT_INCREMENTS,
  type Auction,
  type AuctionOutcome,
  type AuctionState,
  type IncrementBand,
} from './auctions.types';
export {
  AuctionClosedError,
  AuctionImageError,
  AuctionNotFoundError,
  AuctionNotOpenError,
  BidNotCoveredError,
  BidRaceLostError,
  BidTooLowError,
  InvalidAuctionError,
  NotABidderError,
  isBidRefusal,
  type BiddingState,
} from './auctions.errors';
export {
  AddAuctionImageDto,
  AuctionDto,
  AuctionImageDto,
  AuctionPageDto,
  AuctionQueryDto,
  BidDto,
  CreateAuctionDto,
  IncrementBandDto,
  PlaceBidDto,
  WatchDto,
} from './dto/auction.dto';
export { AUCTIONS_ASYNCAPI } from './auctions.asyncapi';
