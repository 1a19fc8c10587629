import type { components } from '@bourse/client';
import { TIMEFRAME_NAMES, type Timeframe } from '@bourse/market-data/timeframes';
import { useEffect, useState } from 'react';
import { useServices } from '../app-context';
import { CandleChart } from '../markets/CandleChart';
import { PriceStream } from '../markets/price-stream';
import { PriceTable } from '../markets/PriceTable';
import type { Tick } from '../markets/sequence';

type SymbolSpec = components['schemas']['SymbolDto'];

/** Newest tick per symbol; a snapshot never replaces a newer tick already shown. */
function withTicks(prices: ReadonlyMap<string, Tick>, ticks: Tick[]): Map<string, Tick> {
  const next = new Map(prices);
  for (const tick of ticks) {
    if ((next.get(tick.symbol)?.seq ?? -1) < tick.seq) {
      next.set(tick.symbol, tick);
    }
  }

  return next;
}

export function MarketsPage() {
  const { session, clock } = useServices();
  const [symbols, setSymbols] = useState<SymbolSpec[]>();
  const [stream, setStream] = useState<PriceStream>();
  const [prices, setPrices] = useState<ReadonlyMap<string, Tick>>(new Map());
  const [connected, setConnected] = useState(false);
  const [selected, setSelected] = useState<string>();
  const [timeframe, setTimeframe] = useState<Timeframe>('1m');
  const [, setNow] = useState(0);

  useEffect(() => {
    let active: PriceStream | undefined;
    let cancelled = false;
    void session.client.GET('/v1/market/symbols').then(({ data }) => {
      if (cancelled || !data) {
        return;
      }
      setSymbols(data);
      setSelected((current) => current ?? data[0]?.symbol);
      active = new PriceStream(
        window.location.origin,
        data.map((s) => s.symbol),
      );
      active.listen({
        snapshot: (ticks) => setPrices((p) => withTicks(p, ticks)),
        tick: (tick) => setPrices((p) => withTicks(p, [tick])),
        connection: setConnected,
      });
      setStream(active);
    });

    return () => {
      cancelled = true;
      active?.close();
    };
  }, [session]);

  // Re-render the "age" column once a second, measured on the server's clock.
  useEffect(() => {
    const timer = setInterval(() => setNow(clock.now()), 1000);

    return () => clearInterval(timer);
  }, [clock]);

  const spec = symbols?.find((s) => s.symbol === selected);

  return (
    <section>
      <h1>
        Markets{' '}
        <span className={connected ? 'live' : 'offline'} data-testid="connection">
          {connected ? 'live' : 'connecting…'}
        </span>
      </h1>
      {symbols && (
        <PriceTable
          symbols={symbols}
          prices={prices}
          selected={selected}
          onSelect={setSelected}
          serverNow={clock.now()}
        />
      )}
      {spec && stream && (
        <>
          <div className="timeframes" role="group" aria-label="Timeframe">
            {TIMEFRAME_NAMES.map((tf) => (
              <button
                key={tf}
                type="button"
                aria-pressed={tf === timeframe}
                onClick={() => setTimeframe(tf)}
              >
                {tf}
              </button>
            ))}
          </div>
          <h2>
            {spec.symbol} · {timeframe}
          </h2>
          <CandleChart
            client={session.client}
            stream={stream}
            symbol={spec.symbol}
            timeframe={timeframe}
            scale={spec.scale}
          />
        </>
      )}
    </section>
  );
}
