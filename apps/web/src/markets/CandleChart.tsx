import type { BourseClient, operations } from '@bourse/client';
import type { Timeframe } from '@bourse/market-data/timeframes';
import {
  CandlestickSeries,
  createChart,
  type CandlestickData,
  type UTCTimestamp,
} from 'lightweight-charts';
import { useEffect, useRef, useState } from 'react';
import { useServices } from '../app-context';
import { mergeBar, mergeHistory, type Candle } from './bars';
import type { PriceStream } from './price-stream';

const HISTORY_BARS = 500;

// The candles route's symbol is an enum; /v1/market/symbols (where ours come from) types it string.
type CandleSymbol = operations['Market_candleList']['parameters']['query']['symbol'];

const toPoint = (bar: Candle): CandlestickData<UTCTimestamp> => ({
  time: bar.time as UTCTimestamp,
  // Plotting only: the chart's axis is numeric. Prices are shown as the strings received.
  open: Number(bar.open),
  high: Number(bar.high),
  low: Number(bar.low),
  close: Number(bar.close),
});

/**
 * One series: history from `GET /v1/market/candles`, then live bars from the stream (subscribed
 * only once history is drawn; the ack's forming bar covers anything that changed in between).
 * After a reconnect it refetches from its last bar on, since updates of the outage were missed.
 */
export function CandleChart(props: {
  client: BourseClient;
  stream: PriceStream;
  symbol: string;
  timeframe: Timeframe;
  scale: number;
}) {
  const { client, stream, symbol, timeframe, scale } = props;
  const { clock } = useServices();
  const container = useRef<HTMLDivElement>(null);
  const [last, setLast] = useState<Candle>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    const chart = createChart(container.current!, {
      autoSize: true,
      // TradingView's logo injects a <style> element the page's CSP refuses; the license's
      // attribution is the link in the caption below instead, as TradingView allows.
      layout: { attributionLogo: false },
      timeScale: { timeVisible: true },
    });
    const series = chart.addSeries(CandlestickSeries, {
      priceFormat: { type: 'price', precision: scale, minMove: 1 / 10 ** scale },
    });
    let bars: readonly Candle[] = [];
    let cancelled = false;
    let stopLive: (() => void) | undefined;

    const draw = (next: readonly Candle[]) => {
      if (next === bars) {
        return;
      }
      const incremental = bars.length > 0 && next.length - bars.length <= 1 && next.length > 0;
      const first = bars.length === 0 && next.length > 0;
      bars = next;
      const newest = next.at(-1);
      if (incremental && newest) {
        series.update(toPoint(newest));
      } else {
        series.setData(next.map(toPoint));
      }
      if (first) {
        performance.mark('bourse:chart-drawn');
      }
      setLast(newest);
    };

    const load = async (from?: number) => {
      // Up to now on the server's clock: the forming bar, and nothing a skewed clock stamped later.
      const to = Math.floor(clock.now() / 1000);
      const { data, error: problem } = await client.GET('/v1/market/candles', {
        params: {
          query: { symbol: symbol as CandleSymbol, timeframe, from, to, limit: HISTORY_BARS },
        },
      });
      if (cancelled) {
        return;
      }
      if (!data) {
        setError(problem?.detail ?? 'Candles are unavailable');

        return;
      }
      setError(undefined);
      draw(from === undefined ? data : mergeHistory(bars, data));
    };

    void load().then(() => {
      if (!cancelled) {
        stopLive = stream.watchCandles({ symbol, timeframe }, (bar) => draw(mergeBar(bars, bar)));
      }
    });
    const unlisten = stream.listen({ reconnected: () => void load(bars.at(-1)?.time) });

    return () => {
      cancelled = true;
      unlisten();
      stopLive?.();
      chart.remove();
    };
  }, [client, clock, stream, symbol, timeframe, scale]);

  return (
    <figure className="chart">
      <div ref={container} className="chart-canvas" data-testid="chart" />
      <figcaption>
        {error && <span className="error">{error}</span>}
        {last && (
          <span data-testid="last-bar">
            {new Date(last.time * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC · O{' '}
            {last.open} H {last.high} L {last.low} C {last.close} · {last.tickCount} ticks
          </span>
        )}
        <span className="attribution">
          Charts by{' '}
          <a href="https://www.tradingview.com/" target="_blank" rel="noreferrer">
            TradingView
          </a>{' '}
          Lightweight Charts™
        </span>
      </figcaption>
    </figure>
  );
}
