import type { components } from '@bourse/client';
import { useMemo, useState } from 'react';
import { useServices } from '../app-context';
import { formatAmount } from '../lib/money';
import { BalancesTable } from '../wallet/BalancesTable';
import { useLoad } from '../lib/use-api';
import { usePages } from '../lib/use-pages';

type Wallet = components['schemas']['WalletDto'];
type Asset = components['schemas']['AssetDto'];

const PAGE = 20;

/** Balances, then the statement and holds of the chosen wallet. Amounts: minor units + scale. */
export function WalletPage() {
  const { session } = useServices();
  const assets = useLoad(() => session.client.GET('/v1/assets'), [session]);
  const wallets = useLoad(() => session.client.GET('/v1/wallets'), [session]);
  const [selected, setSelected] = useState<string>();
  const scales = useMemo(
    () => new Map((assets.data ?? []).map((a: Asset) => [a.code, a])),
    [assets.data],
  );
  const error = assets.error ?? wallets.error;
  const wallet = wallets.data?.find((w) => w.id === selected) ?? wallets.data?.[0];

  if (error) {
    return <p className="error">{error}</p>;
  }
  if (!wallets.data || !assets.data) {
    return <p>Loading…</p>;
  }

  const amount = (value: string, asset: string) => formatAmount(value, scales.get(asset), asset);

  return (
    <section>
      <h1>Wallet</h1>
      {wallets.data.length === 0 ? (
        <p>No wallets yet.</p>
      ) : (
        <BalancesTable
          wallets={wallets.data}
          assets={scales}
          selected={wallet?.id}
          onSelect={setSelected}
        />
      )}
      {wallet && <WalletDetail wallet={wallet} amount={amount} />}
    </section>
  );
}

function WalletDetail({
  wallet,
  amount,
}: {
  wallet: Wallet;
  amount: (value: string, asset: string) => string;
}) {
  const { session } = useServices();
  const accountId = wallet.id;
  const entries = usePages(`entries:${accountId}`, async (cursor) => {
    const { data, error } = await session.client.GET('/v1/wallets/{accountId}/entries', {
      params: { path: { accountId }, query: { cursor, limit: PAGE } },
    });

    return data ? { items: data.entries, nextCursor: data.nextCursor } : { error: error.detail };
  });
  const holds = usePages(`holds:${accountId}`, async (cursor) => {
    const { data, error } = await session.client.GET('/v1/wallets/{accountId}/holds', {
      params: { path: { accountId }, query: { cursor, limit: PAGE } },
    });

    return data ? { items: data.holds, nextCursor: data.nextCursor } : { error: error.detail };
  });

  return (
    <div className="columns">
      <div>
        <h2>Statement · {wallet.asset}</h2>
        {entries.error && <p className="error">{entries.error}</p>}
        <table data-testid="statement">
          <thead>
            <tr>
              <th>Posted</th>
              <th>Reason</th>
              <th className="num">Amount</th>
              <th className="num">Balance</th>
            </tr>
          </thead>
          <tbody>
            {entries.items.map((e) => (
              <tr key={e.id}>
                <td>{new Date(e.createdAt).toLocaleString()}</td>
                <td>{e.code}</td>
                <td className={`num ${e.side}`}>
                  {e.side === 'debit' ? '−' : '+'}
                  {amount(e.amount, e.asset)}
                </td>
                <td className="num">{amount(e.balanceAfter, e.asset)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {entries.items.length === 0 && !entries.error && <p>No entries.</p>}
        {entries.more && (
          <button type="button" onClick={entries.more}>
            Older entries
          </button>
        )}
      </div>
      <div>
        <h2>Holds</h2>
        {holds.error && <p className="error">{holds.error}</p>}
        <table data-testid="holds">
          <thead>
            <tr>
              <th>Placed</th>
              <th>Reason</th>
              <th>Side</th>
              <th className="num">Amount</th>
              <th>Lapses</th>
            </tr>
          </thead>
          <tbody>
            {holds.items.map((h) => (
              <tr key={h.transferId}>
                <td>{new Date(h.createdAt).toLocaleString()}</td>
                <td>{h.code}</td>
                <td>{h.side}</td>
                <td className="num">{amount(h.amount, wallet.asset)}</td>
                <td>{h.timeoutAt ? new Date(h.timeoutAt).toLocaleString() : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {holds.items.length === 0 && !holds.error && <p>No holds.</p>}
        {holds.more && (
          <button type="button" onClick={holds.more}>
            Older holds
          </button>
        )}
      </div>
    </div>
  );
}
