import type { components } from '@bourse/client';
import { formatAmount } from '../lib/money';

type Wallet = components['schemas']['WalletDto'];
type Asset = components['schemas']['AssetDto'];

/** Each wallet's balances, placed by its asset's scale from /v1/assets. */
export function BalancesTable(props: {
  wallets: readonly Wallet[];
  assets: ReadonlyMap<string, Asset>;
  selected?: string;
  onSelect(id: string): void;
}) {
  const { wallets, assets, selected, onSelect } = props;
  const amount = (value: string, code: string) => formatAmount(value, assets.get(code), code);

  return (
    <table className="wallets">
      <thead>
        <tr>
          <th>Asset</th>
          <th className="num">Available</th>
          <th className="num">Posted</th>
          <th className="num">Pending</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {wallets.map((w) => (
          <tr
            key={w.id}
            aria-selected={w.id === selected}
            className={w.id === selected ? 'selected' : undefined}
            onClick={() => onSelect(w.id)}
          >
            <td>{assets.get(w.asset)?.name ?? w.asset}</td>
            <td className="num" data-testid={`available-${w.asset}`}>
              {amount(w.available, w.asset)}
            </td>
            <td className="num">{amount(w.posted, w.asset)}</td>
            <td className="num">{amount(w.pending, w.asset)}</td>
            <td>{w.frozen && <span className="badge">frozen</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
