import { IsMinorUnits, IsOptionalMinorUnits } from '@bourse/ledger';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsDateString,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { AUCTION_OUTCOMES, AUCTION_STATES } from '../auctions.types';

/** A price that may be 0 (the first increment band's start). */
const PRICE_FROM_PATTERN = /^(0|[1-9]\d{0,17})$/;

export class IncrementBandDto {
  @ApiProperty({
    type: String,
    pattern: PRICE_FROM_PATTERN.source,
    example: '10000',
    description: 'From this price (minor units, the first band from 0) upwards…',
  })
  @Matches(PRICE_FROM_PATTERN)
  from!: string;

  @IsMinorUnits('…a bid must beat the price by this much (minor units, > 0).')
  step!: string;
}

export class CreateAuctionDto {
  @ApiProperty({ example: '1967 Jaguar E-Type', description: 'Lot title.' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title!: string;

  @ApiPropertyOptional({ description: 'Lot details shown to bidders.', default: '' })
  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  description?: string;

  @IsMinorUnits('The first bid must be at least this, in minor units of the currency.')
  startingPrice!: string;

  @IsOptionalMinorUnits(
    'Hidden reserve: below it the lot closes unsold (holds released). Bidders only see whether it is met.',
  )
  reservePrice?: string;

  @ApiPropertyOptional({
    type: [IncrementBandDto],
    description:
      'Bid increment table: bands by price, ascending, the first from 0. Default: 1.00 under 100.00, 5.00 under 1,000.00, 25.00 under 5,000.00, then 100.00.',
  })
  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => IncrementBandDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  increments?: IncrementBandDto[];

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 3600,
    description:
      'The timer: the lot closes once this many seconds pass with no accepted bid (AUCTIONS_EXTEND_SECONDS by default).',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3600)
  extendSeconds?: number;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 2_592_000,
    description:
      'How long after its start the lot first closes, before any bid extends it (default: the timer).',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2_592_000)
  durationSeconds?: number;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'When bidding opens (default: now). Watchers get a push then.',
  })
  @IsOptional()
  @IsDateString({ strict: true })
  startsAt?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      'User selling the lot, paid the hammer price less the house fee; omitted: the house sells.',
  })
  @IsOptional()
  @IsUUID()
  sellerId?: string;
}

export class AuctionImageDto {
  @ApiProperty({ format: 'uuid', description: 'The upload (purpose `auction.image`).' })
  uploadId!: string;

  @ApiProperty({
    description:
      'Read it at `GET /v1/auctions/{id}/images/{uploadId}` (a presigned GET, thumbnail variant too).',
  })
  path!: string;
}

export class AuctionDto {
  @ApiProperty({ format: 'uuid', description: 'Auction id.' })
  id!: string;

  @ApiProperty({ description: 'Lot title.' })
  title!: string;

  @ApiProperty({ description: 'Lot details.' })
  description!: string;

  @ApiProperty({ example: 'USD', description: 'Ledger asset of every price; bids are held in it.' })
  currency!: string;

  @ApiProperty({ type: String, nullable: true, description: 'Selling user; null: the house.' })
  sellerId!: string | null;

  @ApiProperty({ example: '500000', description: 'Least first bid, minor units.' })
  startingPrice!: string;

  @ApiProperty({ description: 'Whether the lot has a (hidden) reserve price.' })
  hasReserve!: boolean;

  @ApiProperty({
    description:
      'Whether the leader’s bid meets the reserve (true without a reserve once there is a bid).',
  })
  reserveMet!: boolean;

  @ApiProperty({ type: [IncrementBandDto], description: 'The bid increment table.' })
  increments!: IncrementBandDto[];

  @ApiProperty({ description: 'Seconds without an accepted bid after which the lot closes.' })
  extendSeconds!: number;

  @ApiProperty({ enum: AUCTION_STATES, description: 'scheduled → open → closed (or cancelled).' })
  state!: string;

  @ApiProperty({
    enum: AUCTION_OUTCOMES,
    nullable: true,
    type: String,
    description: 'Once closed: `sold`, or `unsold` (no bid, or the reserve not met).',
  })
  outcome!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Visible price (minor units): the hammer price once sold; null before any bid.',
  })
  highest!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The leading bidder (user id).' })
  leaderId!: string | null;

  @ApiProperty({ description: 'The least amount the next bid may be (minor units).' })
  minimumBid!: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'When bidding opens.' })
  startsAt!: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'When the lot closes unless a bid extends it (server clock).',
  })
  endsAt!: string;

  @ApiProperty({ description: 'Accepted bids so far; bumps with each one.' })
  version!: number;

  @ApiProperty({ description: 'Accepted bids.' })
  bidCount!: number;

  @ApiProperty({ type: [AuctionImageDto], description: 'The gallery, in upload order.' })
  images!: AuctionImageDto[];

  @ApiProperty({
    type: String,
    format: 'date-time',
    description:
      'The server’s clock at this read: render the countdown as `endsAt − serverNow` from when the answer arrived, never from the client’s clock.',
  })
  serverNow!: string;
}

export class AuctionPageDto {
  @ApiProperty({ type: [AuctionDto], description: 'Lots, latest start first.' })
  items!: AuctionDto[];

  @ApiPropertyOptional({ description: 'Pass as `cursor` for the next page; absent on the last.' })
  nextCursor?: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'The server’s clock.' })
  serverNow!: string;
}

export class AuctionQueryDto {
  @ApiPropertyOptional({ description: 'A `nextCursor` this API returned.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20, description: 'Page size.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

export const CLIENT_BID_ID_PATTERN = /^[A-Za-z0-9._:-]{1,100}$/;

export class PlaceBidDto {
  @IsMinorUnits('The bid, minor units: at least the minimum bid.')
  amount!: string;

  @IsOptionalMinorUnits(
    'A secret proxy maximum (≥ amount): the system bids for you up to it, one increment above the next best maximum. Held on your wallet while you lead.',
  )
  maxAmount?: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '510000',
    description:
      'The highest bid you saw (null: none). Your bid is refused with 409 if someone bid since.',
  })
  @ValidateIf((_, value) => value !== null)
  @Matches(PRICE_FROM_PATTERN)
  seenHighest!: string | null;

  @ApiProperty({
    example: '7f1c7e0e-0b0e-4a53-9a55-1c0fd3b1f7a9',
    description:
      'Your id for this bid (1–100 of A-Z a-z 0-9 . _ : -): a retry with it answers the same bid.',
  })
  @Matches(CLIENT_BID_ID_PATTERN)
  clientBidId!: string;
}

export class BidDto {
  @ApiProperty({ format: 'uuid', description: 'The bid (and its ledger hold) id.' })
  bidId!: string;

  @ApiProperty({ description: 'Your client bid id.' })
  clientBidId!: string;

  @ApiProperty({ format: 'uuid', description: 'Auction.' })
  auctionId!: string;

  @ApiProperty({ description: 'Amount bid, minor units.' })
  amount!: string;

  @ApiProperty({ description: 'Your maximum (the amount when you left none).' })
  maxAmount!: string;

  @ApiProperty({
    description: 'Whether you lead; false: the leader’s proxy maximum outbid you at once.',
  })
  leading!: boolean;

  @ApiProperty({ description: 'The visible price after the bid.' })
  highest!: string;

  @ApiProperty({ format: 'uuid', description: 'The leader after the bid.' })
  leaderId!: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'The lot’s end after the bid.' })
  endsAt!: string;

  @ApiProperty({ description: 'The lot’s version after the bid.' })
  version!: number;

  @ApiProperty({ type: String, format: 'date-time', description: 'Accepted at (server clock).' })
  acceptedAt!: string;
}

export class AddAuctionImageDto {
  @ApiProperty({
    format: 'uuid',
    description: 'A verified upload of purpose `auction.image` (made through `POST /v1/uploads`).',
  })
  @IsUUID()
  uploadId!: string;
}

export class WatchDto {
  @ApiProperty({ format: 'uuid', description: 'Auction.' })
  auctionId!: string;

  @ApiProperty({ description: 'Always true: you get a push and an in-app notice at its start.' })
  watching!: boolean;
}
