import {
  APP_CONFIG,
  Database,
  IdempotencyService,
  IdempotentResponse,
  newId,
  type IdempotentRequest,
  type Principal,
} from '@bourse/platform';
import { UploadsService, type ReadUrlDto, type ReadVariant } from '@bourse/storage';
import { Inject, Injectable } from '@nestjs/common';
import { AUCTION_IMAGE } from './auction-image';
import { AuctionSchedule } from './auction-schedule';
import { snapshotOf } from './auction-views';
import { AuctionRepository } from './auction.repository';
import type { AuctionsAppConfig } from './auctions.config';
import { AuctionImageError, AuctionNotFoundError, InvalidAuctionError } from './auctions.errors';
import type { AuctionSnapshot } from './auctions.events';
import { DEFAULT_INCREMENTS, type Auction, type IncrementBand } from './auctions.types';
import { bidderOf } from './bids.service';
import type {
  AuctionDto,
  AuctionPageDto,
  AuctionQueryDto,
  CreateAuctionDto,
  WatchDto,
} from './dto/auction.dto';

const CURSOR = /^(\d{1,15})_([0-9a-f-]{36})$/;

function toAuctionDto(a: Auction, serverNow: Date): AuctionDto {
  const snapshot = snapshotOf(a, serverNow);

  return {
    id: a.id,
    title: a.title,
    description: a.description,
    currency: a.currency,
    sellerId: a.sellerId ?? null,
    startingPrice: a.startingPrice.toString(),
    hasReserve: a.reservePrice !== undefined,
    reserveMet:
      a.leaderMax !== undefined && (a.reservePrice === undefined || a.leaderMax >= a.reservePrice),
    increments: a.increments.map((b) => ({ from: b.from.toString(), step: b.step.toString() })),
    extendSeconds: a.extendSeconds,
    state: snapshot.state,
    outcome: snapshot.outcome,
    highest: snapshot.highest,
    leaderId: snapshot.leaderId,
    minimumBid: snapshot.minimumBid,
    startsAt: snapshot.startsAt,
    endsAt: snapshot.endsAt,
    version: snapshot.version,
    bidCount: snapshot.bidCount,
    images: a.images.map((uploadId) => ({
      uploadId,
      path: `/v1/auctions/${a.id}/images/${uploadId}`,
    })),
    serverNow: snapshot.serverNow,
  };
}

/** Bands ascending from 0, each step positive: what the bid write's increment lookup needs. */
function incrementsOf(body: CreateAuctionDto): IncrementBand[] {
  if (!body.increments) {
    return [...DEFAULT_INCREMENTS];
  }
  const bands = body.increments.map((b) => ({ from: BigInt(b.from), step: BigInt(b.step) }));
  const ordered = bands.every((b, i) => (i === 0 ? b.from === 0n : b.from > bands[i - 1]!.from));
  if (!ordered || bands.some((b) => b.step <= 0n)) {
    throw new InvalidAuctionError(
      'increments must start from 0, rise strictly and have positive steps',
      'increments',
    );
  }

  return bands;
}

/**
 * Lots: created by admins with their timer and increment table, listed and read by anyone with
 * the server's clock, watched by users, their galleries uploads of purpose `auction.image`.
 */
@Injectable()
export class AuctionsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AuctionsAppConfig,
    private readonly db: Database,
    private readonly repo: AuctionRepository,
    private readonly idempotency: IdempotencyService,
    private readonly schedule: AuctionSchedule,
    private readonly uploads: UploadsService,
  ) {}

  /** The lot, and its open and close jobs at their times, in one transaction. */
  create(
    body: CreateAuctionDto,
    call?: IdempotentRequest,
  ): Promise<AuctionDto | IdempotentResponse<AuctionDto>> {
    const startingPrice = BigInt(body.startingPrice);
    const reservePrice = body.reservePrice === undefined ? undefined : BigInt(body.reservePrice);
    const increments = incrementsOf(body);
    const extendSeconds = body.extendSeconds ?? this.config.auctions.extendSeconds;

    return this.idempotency.transaction(call, async (tx) => {
      const auction = await this.repo.insert(tx, {
        id: newId(),
        title: body.title,
        description: body.description ?? '',
        currency: this.config.auctions.currency,
        sellerId: body.sellerId,
        startingPrice,
        reservePrice,
        increments,
        extendSeconds,
        startsAt: body.startsAt === undefined ? new Date() : new Date(body.startsAt),
        durationSeconds: body.durationSeconds ?? extendSeconds,
      });
      await this.schedule.open(tx, auction);
      await this.schedule.close(tx, auction.id, auction.endsAt);

      return toAuctionDto(auction, new Date());
    });
  }

  async list(query: AuctionQueryDto): Promise<AuctionPageDto> {
    const limit = query.limit ?? 20;
    let before: { startsAt: Date; id: string } | undefined;
    if (query.cursor !== undefined) {
      const match = CURSOR.exec(query.cursor);
      if (!match) {
        throw new InvalidAuctionError('The cursor is not one this API returned', 'cursor');
      }
      before = { startsAt: new Date(Number(match[1])), id: match[2]! };
    }
    const { auctions, serverNow } = await this.repo.page(this.db.manager, before, limit + 1);
    const page = auctions.slice(0, limit);
    const last = page.at(-1);

    return {
      items: page.map((a) => toAuctionDto(a, serverNow)),
      ...(auctions.length > limit &&
        last && { nextCursor: `${last.startsAt.getTime()}_${last.id}` }),
      serverNow: serverNow.toISOString(),
    };
  }

  async get(id: string): Promise<AuctionDto> {
    const found = await this.repo.find(this.db.manager, id);
    if (!found) {
      throw new AuctionNotFoundError(id);
    }

    return toAuctionDto(found.auction, found.serverNow);
  }

  async snapshot(id: string): Promise<AuctionSnapshot> {
    const found = await this.repo.find(this.db.manager, id);
    if (!found) {
      throw new AuctionNotFoundError(id);
    }

    return snapshotOf(found.auction, found.serverNow);
  }

  /** Idempotent: watching twice is watching. */
  async watch(principal: Principal | undefined, id: string): Promise<WatchDto> {
    const userId = bidderOf(principal);
    await this.db.transaction(undefined, async (tx) => {
      if (!(await this.repo.find(tx, id))) {
        throw new AuctionNotFoundError(id);
      }
      await this.repo.watch(tx, id, userId);
    });

    return { auctionId: id, watching: true };
  }

  /** Adds a verified `auction.image` upload (the admin's own) to the lot's gallery. */
  async addImage(
    principal: Principal | undefined,
    id: string,
    uploadId: string,
  ): Promise<AuctionDto> {
    const upload = await this.uploads.get(principal, uploadId);
    if (upload.purpose !== AUCTION_IMAGE.name) {
      throw new AuctionImageError(`Upload ${uploadId} is not an ${AUCTION_IMAGE.name}`);
    }
    if (upload.state !== 'verified') {
      throw new AuctionImageError(`Upload ${uploadId} is ${upload.state}, not verified`);
    }
    const auction = await this.repo.addImage(this.db.manager, id, uploadId);
    if (!auction) {
      throw new AuctionNotFoundError(id);
    }

    return toAuctionDto(auction, new Date());
  }

  /** A presigned GET of one of the lot's images, or of its thumbnail. */
  async imageUrl(id: string, uploadId: string, variant?: ReadVariant): Promise<ReadUrlDto> {
    const found = await this.repo.find(this.db.manager, id);
    if (!found) {
      throw new AuctionNotFoundError(id);
    }
    if (!found.auction.images.includes(uploadId)) {
      throw new AuctionImageError(`Upload ${uploadId} is not in the gallery of auction ${id}`);
    }

    return this.uploads.readUrl(undefined, uploadId, variant);
  }
}
