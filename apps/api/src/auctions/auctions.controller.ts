import {
  AddAuctionImageDto,
  AuctionClosingService,
  AuctionDto,
  AuctionPageDto,
  AuctionQueryDto,
  AuctionsService,
  BidDto,
  BidsService,
  CreateAuctionDto,
  PlaceBidDto,
  WatchDto,
} from '@bourse/auctions';
import {
  CurrentPrincipal,
  Idempotent,
  IdempotentCall,
  IdempotentResponse,
  Public,
  Roles,
  type IdempotentRequest,
  type Principal,
} from '@bourse/platform';
import { ReadUrlDto, ReadUrlQueryDto } from '@bourse/storage';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiGoneResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';

const NOT_FOUND = '`auctions.not_found`: no such auction.';
const ADMINS = '`auth.forbidden`: admins only; API keys are refused.';

@ApiTags('auctions')
@Controller('v1/auctions')
export class AuctionsController {
  constructor(
    private readonly auctions: AuctionsService,
    private readonly bids: BidsService,
    private readonly closing: AuctionClosingService,
  ) {}

  @Post()
  @Roles('admin')
  @Idempotent()
  @ApiOperation({
    summary: 'Create a lot.',
    description:
      'Scheduled until `startsAt`, then open: it closes once `extendSeconds` pass with no accepted bid (each accepted bid moves `endsAt` to at least now + `extendSeconds`).',
  })
  @ApiCreatedResponse({ type: AuctionDto, description: 'The lot.' })
  @ApiForbiddenResponse({ description: ADMINS })
  @ApiUnprocessableEntityResponse({
    description:
      '`auctions.invalid` (`increments` not ascending from 0 with positive steps), naming its `field`; `idempotency.key_mismatch`.',
  })
  @ApiConflictResponse({ description: '`idempotency.request_in_progress`.' })
  create(
    @Body() body: CreateAuctionDto,
    @IdempotentCall() call?: IdempotentRequest,
  ): Promise<AuctionDto | IdempotentResponse<AuctionDto>> {
    return this.auctions.create(body, call);
  }

  @Get()
  @Public()
  @ApiOperation({ summary: 'Lots, latest start first, with the server’s clock.' })
  @ApiOkResponse({ type: AuctionPageDto, description: 'A page of lots.' })
  @ApiUnprocessableEntityResponse({ description: '`auctions.invalid`: a bad `cursor`.' })
  list(@Query() query: AuctionQueryDto): Promise<AuctionPageDto> {
    return this.auctions.list(query);
  }

  @Get(':id')
  @Public()
  @ApiOperation({
    summary: 'One lot, with `serverNow`.',
    description: 'Render the countdown as `endsAt − serverNow` from when this arrived.',
  })
  @ApiOkResponse({ type: AuctionDto, description: 'The lot.' })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<AuctionDto> {
    return this.auctions.get(id);
  }

  @Post(':id/bids')
  @ApiOperation({
    summary: 'Bid.',
    description:
      'Accepted only if, at the database’s clock and in one conditional write, the lot is open, not past `endsAt`, `seenHighest` is still the highest and `amount` meets the increment; the bid’s maximum is held on your wallet. The same `clientBidId` answers the same bid. The socket’s `bid` event is the same path.',
  })
  @ApiCreatedResponse({ type: BidDto, description: 'The accepted bid (or the one this retries).' })
  @ApiForbiddenResponse({ description: '`auctions.users_only`: API keys do not bid.' })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  @ApiConflictResponse({
    description:
      '`auctions.outbid` (someone bid first) or `auctions.not_open`, with `highest`, `leaderId`, `minimumBid`, `endsAt`, `version` and `serverNow` to bid again.',
  })
  @ApiUnprocessableEntityResponse({
    description:
      '`auctions.bid_too_low` (with `minimumBid` and the state), `auctions.insufficient_funds` (the wallet cannot hold the maximum; with `required`), `auctions.invalid` (`maxAmount` below `amount`).',
  })
  @ApiGoneResponse({
    description:
      '`auctions.closed`: past `endsAt` at the server’s clock, or closed, with the state.',
  })
  bid(
    @CurrentPrincipal() principal: Principal | undefined,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: PlaceBidDto,
  ): Promise<BidDto> {
    return this.bids.place(principal, id, body);
  }

  @Post(':id/watch')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Watch a lot: a push and an in-app notice when it opens (once).',
  })
  @ApiOkResponse({ type: WatchDto, description: 'Watching (again is the same).' })
  @ApiForbiddenResponse({ description: '`auctions.users_only`: API keys do not watch.' })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  watch(
    @CurrentPrincipal() principal: Principal | undefined,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<WatchDto> {
    return this.auctions.watch(principal, id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    summary: 'Cancel a lot still scheduled or open: nobody wins, the leader’s hold is released.',
  })
  @ApiOkResponse({ type: AuctionDto, description: 'The lot (as it is, when already over).' })
  @ApiForbiddenResponse({ description: ADMINS })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  async cancel(@Param('id', new ParseUUIDPipe()) id: string): Promise<AuctionDto> {
    await this.closing.cancel(id);

    return this.auctions.get(id);
  }

  @Post(':id/images')
  @Roles('admin')
  @ApiOperation({
    summary: 'Add an image to the lot’s gallery.',
    description:
      'Upload it first through `POST /v1/uploads` with purpose `auction.image`, then complete it; the worker makes its thumbnail.',
  })
  @ApiCreatedResponse({ type: AuctionDto, description: 'The lot with its gallery.' })
  @ApiForbiddenResponse({ description: ADMINS })
  @ApiNotFoundResponse({
    description: `${NOT_FOUND} \`storage.not_found\`: no such upload of yours.`,
  })
  @ApiUnprocessableEntityResponse({
    description: '`auctions.invalid_image`: not a verified `auction.image` upload.',
  })
  addImage(
    @CurrentPrincipal() principal: Principal | undefined,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: AddAuctionImageDto,
  ): Promise<AuctionDto> {
    return this.auctions.addImage(principal, id, body.uploadId);
  }

  @Get(':id/images/:uploadId')
  @Public()
  @ApiOperation({ summary: 'A short-lived read URL of a gallery image or its thumbnail.' })
  @ApiOkResponse({ type: ReadUrlDto, description: 'A presigned GET.' })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  @ApiUnprocessableEntityResponse({
    description: '`auctions.invalid_image`: not an image of this lot.',
  })
  @ApiConflictResponse({
    description: '`storage.thumbnail_unavailable`: no thumbnail yet.',
  })
  image(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('uploadId', new ParseUUIDPipe()) uploadId: string,
    @Query() query: ReadUrlQueryDto,
  ): Promise<ReadUrlDto> {
    return this.auctions.imageUrl(id, uploadId, query.variant);
  }
}
