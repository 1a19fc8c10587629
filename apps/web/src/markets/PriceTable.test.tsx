import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { PriceTable } from './PriceTable';

const symbols = [
  { symbol: 'XAUUSD', description: 'Gold', scale: 2 },
  { symbol: 'EURUSD', description: 'Euro', scale: 5 },
];

afterEach(cleanup);

describe('PriceTable', () => {
  it('shows each price as sent, its age on the server clock, and a dash before the first tick', () => {
    const prices = new Map([
      ['XAUUSD', { symbol: 'XAUUSD', price: '2650.10', ts: 10_000, seq: 7 }],
    ]);
    render(
      <PriceTable
        symbols={symbols}
        prices={prices}
        selected="XAUUSD"
        onSelect={() => undefined}
        serverNow={13_400}
      />,
    );
    const gold = screen.getByTestId('price-XAUUSD');
    expect(gold.textContent).toBe('2650.10');
    expect(gold.dataset.seq).toBe('7');
    expect(gold.nextElementSibling?.textContent).toBe('3 s');
    expect(screen.getByTestId('price-EURUSD').textContent).toBe('—');
    expect(screen.getByRole('row', { selected: true }).textContent).toContain('XAUUSD');
  });

  it('selects the symbol of a clicked row', () => {
    const chosen: string[] = [];
    render(
      <PriceTable
        symbols={symbols}
        prices={new Map()}
        onSelect={(s) => chosen.push(s)}
        serverNow={0}
      />,
    );
    fireEvent.click(screen.getByText('Euro'));
    expect(chosen).toEqual(['EURUSD']);
  });
});
