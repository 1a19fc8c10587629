import { PricesErrorCode } from './prices.events';
import { parseCandleSubscription, parseSymbols, parseTick } from './prices.protocol';

describe('prices protocol', () => {
  it('splits known from unknown symbols, once each', () => {
    expect(parseSymbols({ symbols: ['XAUUSD', 'NOPE', 'XAUUSD'] })).toEqual({
      ok: true,
      value: {
        symbols: ['XAUUSD'],
        rejected: [{ symbol: 'NOPE', reason: PricesErrorCode.UnknownSymbol }],
      },
    });
  });

  it.each([
    undefined,
    null,
    [],
    'XAUUSD',
    { symbols: [] },
    { symbols: [1] },
    { symbols: 'XAUUSD' },
  ])('refuses %p as invalid', (payload) => {
    expect(parseSymbols(payload)).toMatchObject({
      ok: false,
      error: { code: PricesErrorCode.InvalidPayload },
    });
  });

  it('checks candle subscriptions', () => {
    expect(parseCandleSubscription({ symbol: 'XAUUSD', timeframe: '4h' })).toEqual({
      ok: true,
      value: { symbol: 'XAUUSD', timeframe: '4h' },
    });
    expect(parseCandleSubscription({ symbol: 'XAUUSD', timeframe: 'toString' })).toMatchObject({
      ok: false,
      error: { code: PricesErrorCode.UnknownTimeframe },
    });
  });

  it('reads only well-formed ticks', () => {
    expect(parseTick('{"symbol":"XAUUSD","price":"1.00","ts":1,"seq":2}')).toEqual({
      symbol: 'XAUUSD',
      price: '1.00',
      ts: 1,
      seq: 2,
    });
    expect(parseTick('{"symbol":"XAUUSD","price":1}')).toBeUndefined();
    expect(parseTick('not json')).toBeUndefined();
  });
});
