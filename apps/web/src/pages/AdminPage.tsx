import type { components } from '@bourse/client';
import { useState, type FormEvent } from 'react';
import { useServices } from '../app-context';
import { formatMinor } from '../lib/money';
import { describeProblem } from '../lib/problem';
import { useLoad } from '../lib/use-api';
import { usePages } from '../lib/use-pages';

type User = components['schemas']['UserDto'];
type Account = components['schemas']['AccountWithBalanceDto'];

/** Operations for admins: find a user, disable or enable them, freeze their accounts, audit. */
export function AdminPage() {
  const { session } = useServices();
  const [email, setEmail] = useState('');
  const [user, setUser] = useState<User>();
  const [accounts, setAccounts] = useState<Account[]>([]);
  const [reason, setReason] = useState('');
  const [message, setMessage] = useState<string>();
  const [auditVersion, setAuditVersion] = useState(0);
  const assets = useLoad(() => session.client.GET('/v1/assets'), [session]);
  const scaleOf = (code: string) => assets.data?.find((a) => a.code === code)?.scale;

  const loadAccounts = async (owner: string) => {
    const { data, error } = await session.client.GET('/v1/ledger/accounts', {
      params: { query: { owner, limit: 100 } },
    });
    setAccounts(data?.accounts ?? []);
    if (error) {
      setMessage(describeProblem(error, 'Accounts are unavailable'));
    }
  };

  const find = async (event: FormEvent) => {
    event.preventDefault();
    setMessage(undefined);
    const { data, error } = await session.client.GET('/v1/admin/users', {
      params: { query: { email } },
    });
    setUser(data);
    setAccounts([]);
    if (data) {
      await loadAccounts(data.id);
    } else {
      setMessage(describeProblem(error, 'Search failed'));
    }
  };

  const act = async (call: () => Promise<{ error?: components['schemas']['ProblemDto'] }>) => {
    const { error } = await call();
    setMessage(error ? describeProblem(error, 'Refused') : 'Done.');
    setAuditVersion((v) => v + 1);
  };
  const body = { reason: reason || undefined };

  const setUserEnabled = (id: string, enable: boolean) =>
    act(async () => {
      const path = { id };
      const result = enable
        ? await session.client.POST('/v1/admin/users/{id}/enable', { params: { path }, body })
        : await session.client.POST('/v1/admin/users/{id}/disable', { params: { path }, body });
      if (result.data) {
        setUser(result.data);
      }

      return result;
    });

  const setFrozen = (account: Account, freeze: boolean) =>
    act(async () => {
      const path = { id: account.id };
      const result = freeze
        ? await session.client.POST('/v1/ledger/accounts/{id}/freeze', { params: { path }, body })
        : await session.client.POST('/v1/ledger/accounts/{id}/unfreeze', {
            params: { path },
            body,
          });
      if (result.data) {
        const updated = result.data;
        setAccounts((list) => list.map((a) => (a.id === updated.id ? updated : a)));
      }

      return result;
    });

  return (
    <section>
      <h1>Operations</h1>
      <form className="inline" onSubmit={(event) => void find(event)}>
        <label>
          User email
          <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <button type="submit">Find</button>
        <label>
          Reason (kept in the audit trail)
          <input value={reason} onChange={(e) => setReason(e.target.value)} />
        </label>
      </form>
      {message && <p role="status">{message}</p>}
      {user && (
        <div className="card">
          <p>
            <strong>{user.email}</strong> · {user.role} · {user.id} ·{' '}
            {user.disabledAt ? `disabled since ${user.disabledAt}` : 'active'}
          </p>
          <button type="button" onClick={() => void setUserEnabled(user.id, !!user.disabledAt)}>
            {user.disabledAt ? 'Enable' : 'Disable'}
          </button>
          <h2>Accounts</h2>
          <table>
            <thead>
              <tr>
                <th>Asset</th>
                <th>Kind</th>
                <th className="num">Available</th>
                <th>Frozen</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {accounts.map((a) => {
                const scale = scaleOf(a.asset);

                return (
                  <tr key={a.id}>
                    <td>{a.asset}</td>
                    <td>{a.kind}</td>
                    <td className="num">
                      {scale === undefined
                        ? a.balance.available
                        : formatMinor(a.balance.available, scale)}
                    </td>
                    <td>{a.frozenAt ?? 'no'}</td>
                    <td>
                      <button type="button" onClick={() => void setFrozen(a, !a.frozenAt)}>
                        {a.frozenAt ? 'Unfreeze' : 'Freeze'}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {accounts.length === 0 && <p>No ledger accounts.</p>}
        </div>
      )}
      <AuditTrail version={auditVersion} />
    </section>
  );
}

function AuditTrail({ version }: { version: number }) {
  const { session } = useServices();
  const audit = usePages(`audit:${version}`, async (cursor) => {
    const { data, error } = await session.client.GET('/v1/admin/audit-events', {
      params: { query: { cursor, limit: 20 } },
    });

    return data ? { items: data.events, nextCursor: data.nextCursor } : { error: error.detail };
  });

  return (
    <>
      <h2>Audit trail</h2>
      {audit.error && <p className="error">{audit.error}</p>}
      <table data-testid="audit">
        <thead>
          <tr>
            <th>When</th>
            <th>Who</th>
            <th>What</th>
            <th>To what</th>
            <th>Details</th>
          </tr>
        </thead>
        <tbody>
          {audit.items.map((e) => (
            <tr key={e.id}>
              <td>{new Date(e.at).toLocaleString()}</td>
              <td>{e.actor}</td>
              <td>{e.action}</td>
              <td>{e.target}</td>
              <td>
                <code>{JSON.stringify(e.details)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {audit.more && (
        <button type="button" onClick={audit.more}>
          Older events
        </button>
      )}
    </>
  );
}
