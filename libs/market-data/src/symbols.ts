/**
 * The instruments Bourse quotes. `scale` is the number of decimals a price carries (prices are
 * decimal strings in that scale, never floats); `base`/`quote` let providers that quote per
 * currency (metalpriceapi) map their rates onto symbols.
 */
export interface SymbolSpec {
  symbol: string;
  base: string;
  quote: string;
  scale: number;
  description: string;
  /** Where the simulated provider starts its random walk. */
  simulatedStart: string;
}

export const SYMBOLS: readonly SymbolSpec[] = [
  {
    symbol: 'XAUUSD',
    base: 'XAU',
    quote: 'USD',
    scale: 2,
    description: 'Gold, USD per troy ounce',
    simulatedStart: '2650.00',
  },
  {
    symbol: 'XAGUSD',
    base: 'XAG',
    quote: 'USD',
    scale: 3,
    description: 'Silver, USD per troy ounce',
    simulatedStart: '31.250',
  },
  {
    symbol: 'XPTUSD',
    base: 'XPT',
    quote: 'USD',
    scale: 2,
    description: 'Platinum, USD per troy ounce',
    simulatedStart: '980.00',
  },
  {
    symbol: 'BTCUSD',
    base: 'BTC',
    quote: 'USD',
    scale: 2,
    description: 'Bitcoin, USD',
    simulatedStart: '95000.00',
  },
  {
    symbol: 'EURUSD',
    base: 'EUR',
    quote: 'USD',
    scale: 5,
    description: 'Euro, USD per euro',
    simulatedStart: '1.08000',
  },
];

const BY_SYMBOL = new Map(SYMBOLS.map((spec) => [spec.symbol, spec]));

export function findSymbol(symbol: string): SymbolSpec | undefined {
  return BY_SYMBOL.get(symbol);
}
