import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { BalancesTable } from './BalancesTable';

const wallet = (asset: string, available: string, extra = {}) => ({
  id: `id-${asset}`,
  asset,
  available,
  posted: available,
  pending: '0',
  scale: 0,
  frozen: false,
  createdAt: '2026-12-07T00:00:00Z',
  ...extra,
});

const assets = new Map([
  ['USD', { code: 'USD', name: 'US dollar', scale: 2 }],
  ['XAU', { code: 'XAU', name: 'Gold, grams', scale: 3 }],
]);

afterEach(cleanup);

describe('BalancesTable', () => {
  it("places each balance's decimal point by its asset's scale from /v1/assets", () => {
    render(
      <BalancesTable
        wallets={[
          wallet('USD', '123456789012345678'),
          wallet('XAU', '1250', { frozen: true, pending: '-500' }),
        ]}
        assets={assets}
        onSelect={() => undefined}
      />,
    );
    expect(screen.getByTestId('available-USD').textContent).toBe('1,234,567,890,123,456.78 USD');
    expect(screen.getByTestId('available-XAU').textContent).toBe('1.250 XAU');
    const gold = screen.getByText('Gold, grams').closest('tr')!;
    expect(gold.textContent).toContain('-0.500 XAU');
    expect(gold.textContent).toContain('frozen');
  });

  it('shows raw minor units, labelled, for an asset it has no scale for', () => {
    render(
      <BalancesTable wallets={[wallet('ZZZ', '42')]} assets={assets} onSelect={() => undefined} />,
    );
    expect(screen.getByTestId('available-ZZZ').textContent).toBe('42 (minor units) ZZZ');
  });
});
