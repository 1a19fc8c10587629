import type { components } from '@bourse/client';
import type { Tick } from './sequence';

type SymbolSpec = components['schemas']['SymbolDto'];

/**
 * Every symbol with its newest price, exactly as the server sent it (a decimal string in the
 * symbol's scale), and the tick's age on the server's clock (`serverNow`).
 */
export function PriceTable(props: {
  symbols: readonly SymbolSpec[];
  prices: ReadonlyMap<string, Tick>;
  selected?: string;
  onSelect(symbol: string): void;
  serverNow: number;
}) {
  const { symbols, prices, selected, onSelect, serverNow } = props;

  return (
    <table className="prices">
      <thead>
        <tr>
          <th>Symbol</th>
          <th>Description</th>
          <th className="num">Price</th>
          <th className="num">Age</th>
        </tr>
      </thead>
      <tbody>
        {symbols.map((s) => {
          const tick = prices.get(s.symbol);

          return (
            <tr
              key={s.symbol}
              aria-selected={s.symbol === selected}
              className={s.symbol === selected ? 'selected' : undefined}
              onClick={() => onSelect(s.symbol)}
            >
              <td>{s.symbol}</td>
              <td>{s.description}</td>
              <td
                className="num"
                data-testid={`price-${s.symbol}`}
                data-seq={tick?.seq}
                data-ts={tick?.ts}
              >
                {tick?.price ?? '—'}
              </td>
              <td className="num">
                {tick ? `${Math.max(0, Math.round((serverNow - tick.ts) / 1000))} s` : ''}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
