import type { components } from '@bourse/client';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useServices } from '../app-context';
import { formatAmount } from '../lib/money';
import { describeProblem } from '../lib/problem';
import { useLoad } from '../lib/use-api';

type Payment = components['schemas']['PaymentDto'];
type Wallet = components['schemas']['WalletDto'];
type Provider = Payment['provider'];

const TERMINAL: readonly Payment['state'][] = ['succeeded', 'failed', 'cancelled'];
// The provider confirms asynchronously (its webhook, then the worker): an open payment is
// re-read at this pace until it ends, then the balance with it.
const POLL_MS = 1_000;

/** "12.5" at scale 2 → "1250"; undefined when the text is not an amount of that scale. */
function toMinor(text: string, scale: number): string | undefined {
  const match = /^(\d+)(?:\.(\d*))?$/.exec(text.trim());
  if (!match || (match[2] ?? '').length > scale) {
    return undefined;
  }
  const minor = `${match[1]}${(match[2] ?? '').padEnd(scale, '0')}`.replace(/^0+(?=\d)/, '');

  return /^0+$/.test(minor) ? undefined : minor;
}

/**
 * A deposit to the wallet by card (Stripe: the payment's client secret is what the payer's card
 * form confirms with) or PayPal (the payer approves the order at its link); the payments are
 * followed until the provider settles them, and the credited balance shown without a reload.
 */
export function PaymentsPage() {
  const { session } = useServices();
  const assets = useLoad(() => session.client.GET('/v1/assets'), [session]);
  const [asset, setAsset] = useState('USD');
  const [amount, setAmount] = useState('');
  const [provider, setProvider] = useState<Provider>('stripe');
  const [created, setCreated] = useState<Payment>();
  const [payments, setPayments] = useState<Payment[]>();
  const [wallets, setWallets] = useState<Wallet[]>();
  const [error, setError] = useState<string>();
  const [loadError, setLoadError] = useState<string>();

  const refresh = useCallback(async () => {
    const [list, owned] = await Promise.all([
      session.client.GET('/v1/payments', { params: { query: { limit: 20 } } }),
      session.client.GET('/v1/wallets'),
    ]);
    if (list.data) {
      setPayments(list.data.payments);
    }
    if (owned.data) {
      setWallets(owned.data);
    }
    const failed = list.error ?? owned.error;
    setLoadError(failed ? describeProblem(failed, 'Not available') : undefined);
  }, [session]);

  useEffect(() => void refresh(), [refresh]);
  const open = payments?.some((p) => !TERMINAL.includes(p.state)) ?? false;
  useEffect(() => {
    if (!open) {
      return;
    }
    const timer = setInterval(() => void refresh(), POLL_MS);

    return () => clearInterval(timer);
  }, [open, refresh]);

  const scale = assets.data?.find((a) => a.code === asset);
  const deposit = async (event: FormEvent) => {
    event.preventDefault();
    const minor = scale && toMinor(amount, scale.scale);
    if (!minor) {
      setError(`amount: a positive amount of ${asset}, at most ${scale?.scale ?? 0} decimals`);

      return;
    }
    const { data, error } = await session.client.POST('/v1/payments', {
      body: { amount: minor, asset, provider, purpose: 'wallet_deposit', captureMode: 'automatic' },
      params: { header: { 'Idempotency-Key': crypto.randomUUID() } },
    });
    setCreated(data);
    setError(data ? undefined : describeProblem(error, 'The payment was not created'));
    await refresh();
  };

  const money = (value: string, code: string) =>
    formatAmount(
      value,
      assets.data?.find((a) => a.code === code),
      code,
    );
  const wallet = wallets?.find((w) => w.asset === asset);

  return (
    <section>
      <h1>Deposit</h1>
      <p data-testid="deposit-balance">
        Wallet balance: {wallet ? money(wallet.posted, asset) : money('0', asset)}
      </p>
      <form onSubmit={(event) => void deposit(event)}>
        <label>
          Amount{' '}
          <input
            inputMode="decimal"
            value={amount}
            onChange={(event) => setAmount(event.target.value)}
          />
        </label>{' '}
        <label>
          Asset{' '}
          <select value={asset} onChange={(event) => setAsset(event.target.value)}>
            {(assets.data ?? [{ code: 'USD' }]).map((a) => (
              <option key={a.code}>{a.code}</option>
            ))}
          </select>
        </label>{' '}
        <fieldset>
          <legend>Pay with</legend>
          <label>
            <input
              type="radio"
              name="provider"
              checked={provider === 'stripe'}
              onChange={() => setProvider('stripe')}
            />{' '}
            Card
          </label>{' '}
          <label>
            <input
              type="radio"
              name="provider"
              checked={provider === 'paypal'}
              onChange={() => setProvider('paypal')}
            />{' '}
            PayPal
          </label>
        </fieldset>
        <button type="submit">Deposit</button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {loadError && <p className="error">{loadError}</p>}
      {created?.clientSecret && (
        <p data-testid="card-confirmation">
          Card payment created: the card form confirms it with the client secret{' '}
          <code>{created.clientSecret}</code>.
        </p>
      )}
      {created?.approvalUrl && (
        <p>
          <a href={created.approvalUrl} target="_blank" rel="noreferrer">
            Approve the payment with PayPal
          </a>
        </p>
      )}
      <h2>Your payments</h2>
      <table data-testid="payments">
        <thead>
          <tr>
            <th>Created</th>
            <th>Provider</th>
            <th className="num">Amount</th>
            <th className="num">Captured</th>
            <th>State</th>
          </tr>
        </thead>
        <tbody>
          {(payments ?? []).map((p) => (
            <tr key={p.id}>
              <td>{new Date(p.createdAt).toLocaleString()}</td>
              <td>{p.provider}</td>
              <td className="num">{money(p.amount, p.asset)}</td>
              <td className="num">{money(p.captured, p.asset)}</td>
              <td>
                {p.state}
                {p.declineCode ? ` (${p.declineCode})` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {payments?.length === 0 && <p>No payments yet.</p>}
    </section>
  );
}
