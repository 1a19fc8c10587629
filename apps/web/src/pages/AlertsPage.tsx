import {
  ALERTS_NAMESPACE,
  AlertsEvent,
  type AlertsClientEvents,
  type AlertsReady,
  type AlertsServerEvents,
  type AlertStreamEvent,
} from '@bourse/alerts/contract';
import type { components } from '@bourse/client';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { io, type Socket } from 'socket.io-client';
import { useServices } from '../app-context';
import { describeProblem } from '../lib/problem';

type Alert = components['schemas']['AlertDto'];
type CreateAlert = components['schemas']['CreateAlertDto'];
type AlertsSocket = Socket<AlertsServerEvents, AlertsClientEvents>;

const OPERATORS: CreateAlert['operator'][] = [
  'crossing',
  'crossing_up',
  'crossing_down',
  'greater_than',
  'less_than',
  'entering_channel',
  'exiting_channel',
  'inside_channel',
  'outside_channel',
  'moving_up_pct',
  'moving_down_pct',
];
const FREQUENCIES: NonNullable<CreateAlert['frequency']>[] = [
  'only_once',
  'once_per_bar',
  'once_per_bar_close',
  'every_time',
];
const CHANNEL = /channel$/;
const MOVING = /^moving/;

interface Received extends AlertStreamEvent {
  replayed: boolean;
}

/**
 * Where this browser's stream stands for a user, kept across reloads: the last event it handled
 * (per user, so another account signed in here does not resume from someone else's seq).
 */
const cursorKey = (userId: string | undefined) => `bourse.alerts.cursor.${userId ?? ''}`;
const readCursor = (key: string): { lastSeq?: number; lastEventId?: string } =>
  JSON.parse(window.localStorage.getItem(key) ?? '{}') as {
    lastSeq?: number;
    lastEventId?: string;
  };

/**
 * Your price alerts: create one on a symbol, watch it fire live, go offline (the button drops the
 * socket) and see what fired meanwhile replayed on return, from the stream's `lastSeq`.
 */
export function AlertsPage() {
  const { session } = useServices();
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [symbols, setSymbols] = useState<string[]>([]);
  const [events, setEvents] = useState<Received[]>([]);
  const [ready, setReady] = useState<AlertsReady>();
  const [online, setOnline] = useState(true);
  const [connected, setConnected] = useState(false);
  const [error, setError] = useState<string>();
  const [loadError, setLoadError] = useState<string>();
  const [form, setForm] = useState<CreateAlert>({
    symbol: 'XAUUSD',
    operator: 'crossing',
    value: '',
    frequency: 'only_once',
    timeframe: '1m',
    minIntervalSeconds: 0,
    channels: [],
  });

  const reload = useCallback(async () => {
    const { data, error: failed } = await session.client.GET('/v1/alerts', {
      params: { query: { limit: 100 } },
    });
    if (data) {
      setAlerts(data.alerts);
    }
    setLoadError(failed ? describeProblem(failed, 'Alerts are not available') : undefined);
  }, [session]);

  useEffect(() => {
    void reload();
    void session.client.GET('/v1/market/symbols').then(({ data }) => {
      setSymbols((data ?? []).map((s) => s.symbol));
    });
  }, [session, reload]);

  useEffect(() => {
    if (!online) {
      return;
    }
    // Events up to the stream's end at connect time are the replay; later ones are live.
    let replayedUpTo = 0;
    const key = cursorKey(session.user?.id);
    const socket: AlertsSocket = io(`${window.location.origin}${ALERTS_NAMESPACE}`, {
      transports: ['websocket'],
      // Read at every (re)connect: the server replays what came after the last event handled.
      auth: (send) => send({ token: session.accessToken, ...readCursor(key) }),
    });
    socket.on('connect', () => setConnected(true));
    socket.on('disconnect', () => setConnected(false));
    socket.on(AlertsEvent.Ready, (r) => {
      replayedUpTo = r.lastSeq;
      setReady(r);
      if (r.resync) {
        setEvents([]);
      }
    });
    socket.on(AlertsEvent.Alert, (event) => {
      window.localStorage.setItem(
        key,
        JSON.stringify({ lastSeq: event.seq, lastEventId: event.id }),
      );
      setEvents((shown) =>
        shown.some((e) => e.id === event.id)
          ? shown
          : [{ ...event, replayed: event.seq <= replayedUpTo }, ...shown],
      );
      void socket.emitWithAck(AlertsEvent.Ack, { seq: event.seq });
      void reload();
    });

    return () => {
      socket.disconnect();
    };
  }, [online, session, reload]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body: CreateAlert = {
      symbol: form.symbol,
      operator: form.operator,
      frequency: form.frequency,
      timeframe: form.timeframe,
      message: form.message || undefined,
      ...(CHANNEL.test(form.operator)
        ? { lower: form.lower, upper: form.upper }
        : { value: form.value }),
      ...(MOVING.test(form.operator) ? { bars: Number(form.bars ?? 1) } : {}),
      minIntervalSeconds: 0,
      channels: [],
    };
    const { error: failed } = await session.client.POST('/v1/alerts', { body });
    setError(failed ? describeProblem(failed, 'The alert was not created') : undefined);
    await reload();
  };

  const remove = async (id: string) => {
    const { error: failed } = await session.client.DELETE('/v1/alerts/{id}', {
      params: { path: { id } },
    });
    setError(failed ? describeProblem(failed, 'The alert was not deleted') : undefined);
    await reload();
  };

  const field = (name: keyof CreateAlert, label: string) => (
    <label>
      {label}{' '}
      <input
        value={String(form[name] ?? '')}
        onChange={(e) => setForm({ ...form, [name]: e.target.value })}
      />
    </label>
  );

  return (
    <section>
      <h1>Alerts</h1>
      <form onSubmit={(e) => void submit(e)} className="alert-form">
        <label>
          Symbol{' '}
          <select
            value={form.symbol}
            onChange={(e) => setForm({ ...form, symbol: e.target.value as CreateAlert['symbol'] })}
          >
            {symbols.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Operator{' '}
          <select
            value={form.operator}
            onChange={(e) =>
              setForm({ ...form, operator: e.target.value as CreateAlert['operator'] })
            }
          >
            {OPERATORS.map((o) => (
              <option key={o}>{o}</option>
            ))}
          </select>
        </label>
        {CHANNEL.test(form.operator) ? (
          <>
            {field('lower', 'lower')}
            {field('upper', 'upper')}
          </>
        ) : (
          field('value', MOVING.test(form.operator) ? 'percent' : 'level')
        )}
        {MOVING.test(form.operator) && field('bars', 'bars')}
        <label>
          Frequency{' '}
          <select
            value={form.frequency}
            onChange={(e) =>
              setForm({ ...form, frequency: e.target.value as CreateAlert['frequency'] })
            }
          >
            {FREQUENCIES.map((f) => (
              <option key={f}>{f}</option>
            ))}
          </select>
        </label>
        {field('message', 'message')}
        <button type="submit">Create alert</button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {loadError && (
        <p className="error" role="alert">
          {loadError}
        </p>
      )}

      <table data-testid="alert-rules">
        <thead>
          <tr>
            <th>Symbol</th>
            <th>Condition</th>
            <th>Frequency</th>
            <th>Status</th>
            <th>Fired</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {alerts.map((a) => (
            <tr key={a.id}>
              <td>{a.symbol}</td>
              <td>
                {a.operator} {a.value ?? `${a.lower}–${a.upper}`}
              </td>
              <td>{a.frequency}</td>
              <td>{a.status}</td>
              <td>{a.fireCount}</td>
              <td>
                <button
                  type="button"
                  aria-label={`Delete ${a.symbol} ${a.operator} alert`}
                  onClick={() => void remove(a.id)}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>
        Fired{' '}
        <small data-testid="alerts-connection">
          {connected ? 'live' : 'offline'}
          {ready?.resync ? ' (stream reset: resynced)' : ''}
        </small>{' '}
        <button type="button" onClick={() => setOnline(!online)}>
          {online ? 'Go offline' : 'Go online'}
        </button>
      </h2>
      <ol className="alert-events" data-testid="alert-events" aria-live="polite">
        {events.map((e) => (
          <li key={e.id}>
            #{e.seq} {e.symbol} {e.operator} at {e.price} (
            {new Date(e.triggeredAt).toLocaleTimeString()}){e.replayed ? ' — replayed' : ''}
            {e.message ? `: ${e.message}` : ''}
          </li>
        ))}
      </ol>
    </section>
  );
}
