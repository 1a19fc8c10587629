import {
  CandleDto,
  CandlesQueryDto,
  CandleService,
  PriceDto,
  PricesService,
  SymbolDto,
  SYMBOLS,
} from '@bourse/market-data';
import { Public } from '@bourse/platform';
import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';

const SYMBOL_LIST: SymbolDto[] = SYMBOLS.map(({ symbol, description, scale }) => ({
  symbol,
  description,
  scale,
}));

// Public prices: no credentials, but the global per-IP rate limit applies.
@ApiTags('market')
@Public()
@ApiTooManyRequestsResponse({ description: '`rate_limit.exceeded`, with Retry-After.' })
@Controller('v1/market')
export class MarketController {
  constructor(
    private readonly candles: CandleService,
    private readonly prices: PricesService,
  ) {}

  @Get('symbols')
  @ApiOperation({ summary: 'The symbols Bourse quotes.' })
  @ApiOkResponse({ type: [SymbolDto], description: 'Every quoted symbol.' })
  symbols(): SymbolDto[] {
    return SYMBOL_LIST;
  }

  @Get('prices')
  @ApiOperation({
    summary: 'Last price of every symbol.',
    description: 'Symbols without a price yet are left out. Live updates: Socket.IO `/prices`.',
  })
  @ApiOkResponse({ type: [PriceDto], description: 'Last ticks, in symbol-list order.' })
  allPrices(): Promise<PriceDto[]> {
    return this.prices.all();
  }

  @Get('prices/:symbol')
  @ApiOperation({ summary: 'Last price of one symbol.' })
  @ApiParam({ name: 'symbol', example: 'XAUUSD', description: 'A symbol from /v1/market/symbols.' })
  @ApiOkResponse({ type: PriceDto, description: 'The last tick.' })
  @ApiNotFoundResponse({
    description:
      '`market.unknown_symbol` (not quoted), or `market.no_price` (quoted, but no price yet).',
  })
  price(@Param('symbol') symbol: string): Promise<PriceDto> {
    return this.prices.one(symbol);
  }

  @Get('candles')
  @ApiOperation({
    summary: 'OHLC bars of a symbol.',
    description:
      'The newest `limit` bars whose start lies within [from, to], oldest first, including the ' +
      'forming bar (at most MARKET_CANDLE_FLUSH_MS behind the ticks). Times are UTC epoch ' +
      'seconds, as lightweight-charts takes them; page back with `to` = first `time` - 1.',
  })
  @ApiOkResponse({ type: [CandleDto], description: 'Bars, oldest first.' })
  @ApiBadRequestResponse({
    description:
      '`validation.failed`, naming the field: unknown symbol, unknown timeframe, from/to not epoch seconds, `to` before `from`, limit outside 1..5000.',
  })
  candleList(@Query() query: CandlesQueryDto): Promise<CandleDto[]> {
    return this.candles.candles(query);
  }
}
