import { REDIS } from '@bourse/platform';
import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { MarketKeys } from '../market.keys';
import { findSymbol, SYMBOLS } from '../symbols';
import type { Tick } from '../tick';
import { NoPriceError, UnknownSymbolError } from './market.errors';

/** Last prices as the worker's tick pipeline left them in Redis (`MarketKeys.lastPrices`). */
@Injectable()
export class PricesService {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /** The last tick of every quoted symbol that has one, in `SYMBOLS` order. */
  async all(): Promise<Tick[]> {
    const stored = await this.redis.hgetall(MarketKeys.lastPrices);

    return SYMBOLS.flatMap(({ symbol }) => {
      const json = stored[symbol];

      return json ? [JSON.parse(json) as Tick] : [];
    });
  }

  async one(symbol: string): Promise<Tick> {
    if (!findSymbol(symbol)) {
      throw new UnknownSymbolError(symbol);
    }
    const json = await this.redis.hget(MarketKeys.lastPrices, symbol);
    if (!json) {
      throw new NoPriceError(symbol);
    }

    return JSON.parse(json) as Tick;
  }
}
