import { KycGate, type KycTier } from '@bourse/kyc';
import { AccountsService, TransfersService, type TransferInput } from '@bourse/ledger';
import { findSymbol, NoPriceError, PricesService, type Tick } from '@bourse/market-data';
import {
  AccountChecks,
  APP_CONFIG,
  Database,
  ForbiddenError,
  IdempotencyService,
  IdempotentResponse,
  newId,
  OutboxService,
  pageOf,
  type IdempotentRequest,
  type PageQueryDto,
  type Principal,
  type Tx,
} from '@bourse/platform';
import { Inject, Injectable } from '@nestjs/common';
import {
  toOrderDto,
  toQuoteDto,
  type CreateOrderDto,
  type CreateQuoteDto,
  type HoldingDto,
  type OrderDto,
  type OrderPageDto,
  type QuoteDto,
} from './dto/trading.dto';
import {
  buyAmounts,
  cashFor,
  formatPrice,
  parsePrice,
  sellAmounts,
  spreadPrices,
  type Scales,
} from './pricing';
import type { TradingAppConfig } from './trading.config';
import {
  AmountTooSmallError,
  InvalidOrderCursorError,
  InvalidQuoteRequestError,
  PriceStaleError,
  QuoteExpiredError,
  QuoteNotFoundError,
  QuoteUsedError,
} from './trading.errors';
import { TRADING_QUEUE, TradingJob, type CustodyInstructionJob } from './custody/custody.jobs';
import { TradingRepository } from './trading.repository';
import { CASH_ASSET, type Metal, type Quote } from './trading.types';

function userIdOf(principal: Principal | undefined): string {
  if (principal?.kind !== 'user') {
    throw new ForbiddenError('Only users trade');
  }

  return principal.userId;
}

const symbolOf = (metal: Metal): string => `${metal}${CASH_ASSET}`;

/** The KYC tier a user needs to trade; the tier's buy and sell limits cap each order's cash. */
export const TRADING_TIER: KycTier = 'basic';

/**
 * Quotes locked on the live price, orders settled at exactly the quote in one linked ledger
 * batch, and the holdings they leave.
 */
@Injectable()
export class TradingService {
  /** Asset scales and system account ids never change once made: looked up once per process. */
  private readonly scales = new Map<string, Promise<number>>();
  private readonly systemAccounts = new Map<string, Promise<string>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: TradingAppConfig,
    private readonly db: Database,
    private readonly accounts: AccountsService,
    private readonly transfers: TransfersService,
    private readonly prices: PricesService,
    private readonly idempotency: IdempotencyService,
    private readonly repo: TradingRepository,
    private readonly outbox: OutboxService,
    private readonly kyc: KycGate,
    private readonly checks: AccountChecks,
  ) {}

  /**
   * A bid or ask from a fresh tick, the amounts at it, stored and valid for the quote TTL. Refused
   * below the KYC tier or past its limits (checked again, and counted, by the order).
   */
  async quote(
    principal: Principal | undefined,
    body: CreateQuoteDto,
    call?: IdempotentRequest,
  ): Promise<QuoteDto | IdempotentResponse<QuoteDto>> {
    const userId = userIdOf(principal);
    const field = body.weight !== undefined ? 'weight' : 'amount';
    if ((body.amount === undefined) === (body.weight === undefined)) {
      throw new InvalidQuoteRequestError('Send exactly one of amount and weight', field);
    }
    const { trading } = this.config;
    const symbol = symbolOf(body.metal);
    const tick = await this.freshTick(symbol);
    const s = await this.scalesOf(body.metal);
    const mid = parsePrice(tick.price, s.price);
    const { bid, ask } = spreadPrices(mid, trading.spreadBps);
    const request =
      body.weight !== undefined
        ? { weight: BigInt(body.weight) }
        : { amount: BigInt(body.amount!) };
    const amounts =
      body.side === 'buy'
        ? buyAmounts(request, ask, s, trading.feeBps)
        : sellAmounts(request, bid, s, trading.feeBps);
    if (amounts.weight <= 0n || amounts.gross <= 0n || amounts.total <= 0n) {
      throw new AmountTooSmallError(field);
    }
    await this.kyc.check(userId, TRADING_TIER, body.side, amounts.total);
    const now = Date.now();
    const quote: Quote = {
      id: newId(),
      userId,
      metal: body.metal,
      side: body.side,
      price: body.side === 'buy' ? ask : bid,
      mid,
      priceScale: s.price,
      ...amounts,
      priceAt: new Date(tick.ts),
      createdAt: new Date(now),
      expiresAt: new Date(now + trading.quoteTtlSeconds * 1000),
    };

    return this.idempotency.transaction(call, async (tx) => {
      await this.repo.insertQuote(tx, quote);

      return toQuoteDto(quote);
    });
  }

  /**
   * Executes a quote at its locked amounts, whatever the price is now: the order row and the
   * ledger batch (cash one way, metal the other, the fee its own leg) commit together or not at
   * all. The ledger refuses the batch if a wallet lacks the available balance.
   */
  placeOrder(
    principal: Principal | undefined,
    body: CreateOrderDto,
    call?: IdempotentRequest,
  ): Promise<OrderDto | IdempotentResponse<OrderDto>> {
    const userId = userIdOf(principal);

    return this.idempotency.transaction(call, async (tx) => {
      const quote = await this.repo.lockQuote(tx, body.quoteId, userId);
      if (!quote) {
        throw new QuoteNotFoundError(body.quoteId);
      }
      if (Date.now() >= quote.expiresAt.getTime()) {
        throw new QuoteExpiredError(quote.id, quote.expiresAt);
      }
      const executed = await this.repo.orderOfQuote(tx, quote.id);
      if (executed) {
        throw new QuoteUsedError(quote.id, executed);
      }
      // A sell turns metal into cash the user can take out: a recent second factor, by policy.
      if (quote.side === 'sell') {
        await this.checks.require(principal, { stepUp: true }, tx);
      }
      // Counted against the tier's limits in this transaction: a refused order uses nothing.
      await this.kyc.consume(tx, userId, TRADING_TIER, quote.side, quote.total);
      const orderId = newId();
      await this.transfers.transferLinked(await this.legs(tx, orderId, quote), tx);
      const order = await this.repo.insertOrder(tx, orderId, quote);
      await this.repo.applyToPosition(tx, order);
      // The metal moves in or out of custody after the commit, by the worker.
      await this.outbox.enqueue<CustodyInstructionJob>(tx, {
        queue: TRADING_QUEUE,
        name: TradingJob.CustodyInstruction,
        jobId: `custody:${order.id}`,
        payload: {
          orderId: order.id,
          metal: order.metal,
          side: order.side,
          weight: order.weight.toString(),
        },
      });

      return toOrderDto(order);
    });
  }

  async orders(principal: Principal | undefined, query: PageQueryDto): Promise<OrderPageDto> {
    const userId = userIdOf(principal);
    const { cursor, limit } = pageOf(query);
    if (cursor !== undefined && !/^[1-9]\d{0,17}$/.test(cursor)) {
      throw new InvalidOrderCursorError();
    }
    const found = await this.repo.orderPage(
      this.db.manager,
      userId,
      cursor === undefined ? undefined : BigInt(cursor),
      limit + 1,
    );
    const page = found.slice(0, limit);

    return {
      items: page.map(toOrderDto),
      nextCursor: found.length > limit ? page[page.length - 1]!.seq.toString() : undefined,
    };
  }

  /**
   * Each metal held, valued at the last bid (what a sell would fetch before its fee); without any
   * price yet the value fields are null.
   */
  async holdings(principal: Principal | undefined): Promise<HoldingDto[]> {
    const userId = userIdOf(principal);
    const positions = await this.repo.positions(this.db.manager, userId);

    return Promise.all(
      positions.map(async (p) => {
        const tick = await this.prices.one(symbolOf(p.metal)).catch((error: unknown) => {
          if (error instanceof NoPriceError) {
            return undefined;
          }
          throw error;
        });
        const s = await this.scalesOf(p.metal);
        const bid =
          tick && spreadPrices(parsePrice(tick.price, s.price), this.config.trading.spreadBps).bid;
        const value = bid === undefined ? undefined : cashFor(p.weight, bid, s, 'down');

        return {
          metal: p.metal,
          weight: p.weight.toString(),
          currency: CASH_ASSET,
          costBasis: p.cost.toString(),
          averageCostPerGram: ((p.cost * 10n ** BigInt(s.metal)) / p.weight).toString(),
          price: bid === undefined ? null : formatPrice(bid, s.price),
          value: value?.toString() ?? null,
          unrealisedPnl: value === undefined ? null : (value - p.cost).toString(),
        };
      }),
    );
  }

  /** The last tick of a symbol, refused when there is none or it is older than allowed. */
  private async freshTick(symbol: string): Promise<Tick> {
    const tick = await this.prices.one(symbol).catch((error: unknown) => {
      throw error instanceof NoPriceError ? new PriceStaleError(symbol) : error;
    });
    const age = Date.now() - tick.ts;
    if (age > this.config.trading.priceMaxAgeMs) {
      throw new PriceStaleError(symbol, age);
    }

    return tick;
  }

  private async scalesOf(metal: Metal): Promise<Scales> {
    return {
      price: findSymbol(symbolOf(metal))!.scale,
      cash: await this.scaleOf(CASH_ASSET),
      metal: await this.scaleOf(metal),
    };
  }

  private scaleOf(asset: string): Promise<number> {
    return this.cached(this.scales, asset, async () => {
      const found = await this.accounts.getAsset(asset);
      if (!found) {
        throw new Error(`The ledger has no asset ${asset}`);
      }

      return found.scale;
    });
  }

  private systemAccount(kind: 'house' | 'fees', asset: string): Promise<string> {
    return this.cached(this.systemAccounts, `${kind}:${asset}`, async () => {
      return (await this.accounts.ensureSystemAccount(kind, asset)).id;
    });
  }

  /** A failed lookup is not kept, so the next call tries again. */
  private cached<T>(map: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
    let found = map.get(key);
    if (!found) {
      found = load();
      map.set(key, found);
      found.catch(() => map.delete(key));
    }

    return found;
  }

  /** The order's transfers: price legs both ways between the user and the house, and the fee. */
  private async legs(tx: Tx, orderId: string, q: Quote): Promise<TransferInput[]> {
    // One statement at a time on the transaction's connection.
    const userCash = await this.accounts.ensureWallet(q.userId, CASH_ASSET, tx);
    const userMetal = await this.accounts.ensureWallet(q.userId, q.metal, tx);
    const houseCash = await this.systemAccount('house', CASH_ASSET);
    const houseMetal = await this.systemAccount('house', q.metal);
    const fees = await this.systemAccount('fees', CASH_ASSET);
    const metadata = { orderId, quoteId: q.id };
    const leg = (debit: string, credit: string, amount: bigint, asset: string, code: string) => ({
      id: newId(),
      debitAccountId: debit,
      creditAccountId: credit,
      amount,
      asset,
      code,
      metadata,
    });
    const code = `trading.${q.side}`;
    const fee = q.fee > 0n ? [leg(userCash.id, fees, q.fee, CASH_ASSET, 'trading.fee')] : [];

    return q.side === 'buy'
      ? [
          leg(userCash.id, houseCash, q.gross, CASH_ASSET, code),
          ...fee,
          leg(houseMetal, userMetal.id, q.weight, q.metal, code),
        ]
      : [
          leg(userMetal.id, houseMetal, q.weight, q.metal, code),
          leg(houseCash, userCash.id, q.gross, CASH_ASSET, code),
          ...fee,
        ];
  }
}
