import {
  AUCTIONS_NAMESPACE,
  AuctionsEvent,
  countdownMs,
  type AuctionsClientEvents,
  type AuctionSnapshot,
  type AuctionsServerEvents,
  type BidRefusal,
} from '@bourse/auctions/contract';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { io, type Socket } from 'socket.io-client';
import { useServices } from '../app-context';
import { formatMinor } from '../lib/money';

type AuctionsSocket = Socket<AuctionsServerEvents, AuctionsClientEvents>;

/** The fields of `GET /v1/auctions` this page shows (AuctionDto in libs/auctions). */
interface Lot {
  id: string;
  title: string;
  description: string;
  currency: string;
  state: string;
  highest: string | null;
  minimumBid: string;
  endsAt: string;
  images: { uploadId: string }[];
}

/** Lots are priced in a fiat currency's minor units (cents). */
const SCALE = 2;
/** The HTTP status each refusal stands for, as `POST /v1/auctions/{id}/bids` answers it. */
const REFUSAL_STATUS: Record<string, number> = {
  'auctions.outbid': 409,
  'auctions.not_open': 409,
  'auctions.bid_too_low': 422,
  'auctions.insufficient_funds': 422,
  'auctions.closed': 410,
};

/** "12.5" → "1250"; undefined when it is not an amount with at most two decimals. */
export function toMinor(input: string): string | undefined {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(input.trim());

  return match ? `${BigInt(match[1]) * 100n + BigInt((match[2] ?? '').padEnd(2, '0'))}` : undefined;
}

/**
 * Whole seconds left on the lot by the server's clock (libs/auctions' `countdownMs`): the local
 * clock only measures the time since the last answer arrived, so its skew does not count.
 */
export function secondsLeft(
  live: { snapshot: { endsAt: string; serverNow: string }; receivedAt: number },
  nowLocal: number,
): number {
  return Math.ceil(countdownMs(live.snapshot, live.receivedAt, nowLocal) / 1000);
}

/** A problem+json body's detail, or the status line. */
async function problemOf(response: Response): Promise<string> {
  const body = (await response.json().catch(() => undefined)) as { detail?: string } | undefined;

  return body?.detail ?? `${response.status} ${response.statusText}`;
}

/**
 * Live auctions: the lots, then one lot followed on `/auctions` (its snapshot at join, then the
 * `bid`, `extended` and `closed` events). The countdown is the server's: `endsAt − serverNow` of
 * the last answer less the time elapsed here since it arrived, so a wrong device clock does not
 * move it. Bids go over the socket with the highest seen and a client bid id; refusals are shown
 * with the state to bid again on.
 */
export function AuctionsPage() {
  const [lots, setLots] = useState<Lot[]>();
  const [error, setError] = useState<string>();
  const [openId, setOpenId] = useState<string>();

  useEffect(() => {
    void fetch('/v1/auctions').then(async (response) => {
      if (response.ok) {
        setLots(((await response.json()) as { items: Lot[] }).items);
      } else {
        setError(await problemOf(response));
      }
    });
  }, []);

  const open = lots?.find((l) => l.id === openId);
  if (error) {
    return <p className="error">{error}</p>;
  }
  if (!lots) {
    return <p>Loading…</p>;
  }

  return (
    <section>
      <h1>Auctions</h1>
      {open ? (
        <>
          <button type="button" onClick={() => setOpenId(undefined)}>
            All lots
          </button>
          <LotView lot={open} />
        </>
      ) : (
        <ul data-testid="lots">
          {lots.map((lot) => (
            <li key={lot.id}>
              <button type="button" onClick={() => setOpenId(lot.id)}>
                {lot.title}
              </button>{' '}
              {lot.state} ·{' '}
              {lot.highest ? `${formatMinor(lot.highest, SCALE)} ${lot.currency}` : 'no bid yet'}
            </li>
          ))}
          {lots.length === 0 && <li>No lots.</li>}
        </ul>
      )}
    </section>
  );
}

interface Live {
  snapshot: AuctionSnapshot;
  /** Local clock (ms) when the snapshot's `serverNow` arrived: only elapsed time is taken from it. */
  receivedAt: number;
}

function LotView({ lot }: { lot: Lot }) {
  const { session } = useServices();
  const [live, setLive] = useState<Live>();
  const [now, setNow] = useState(() => performance.now());
  const [answer, setAnswer] = useState<{ text: string; refused: boolean }>();
  const [gallery, setGallery] = useState<string[]>([]);
  const socket = useRef<AuctionsSocket>(undefined);

  useEffect(() => {
    const s: AuctionsSocket = io(`${window.location.origin}${AUCTIONS_NAMESPACE}`, {
      transports: ['websocket'],
      auth: (send) => send(session.accessToken ? { token: session.accessToken } : {}),
    });
    socket.current = s;
    // An event older than what is shown (one the snapshot already holds) changes nothing.
    const update = (patch: Partial<AuctionSnapshot> & { serverNow: string }) =>
      setLive((l) =>
        !l || (patch.version ?? l.snapshot.version) < l.snapshot.version
          ? l
          : { snapshot: { ...l.snapshot, ...patch }, receivedAt: performance.now() },
      );
    // Joined again at every (re)connect: the snapshot covers whatever was missed.
    s.on('connect', () => {
      void s.emitWithAck(AuctionsEvent.Join, { auctionId: lot.id }).then((ack) => {
        if (ack.ok) {
          setLive({ snapshot: ack.snapshot, receivedAt: performance.now() });
        } else {
          setAnswer({ text: ack.error.message, refused: true });
        }
      });
    });
    s.on(AuctionsEvent.Bid, (event) => {
      if (event.auctionId === lot.id) {
        update(event);
      }
    });
    s.on(AuctionsEvent.Extended, (event) => {
      if (event.auctionId === lot.id) {
        update(event);
      }
    });
    s.on(AuctionsEvent.Closed, ({ auctionId, state, outcome, price, winnerId, serverNow }) => {
      if (auctionId === lot.id) {
        update({ state, outcome, serverNow, ...(price && { highest: price, leaderId: winnerId }) });
      }
    });

    return () => {
      s.disconnect();
    };
  }, [lot.id, session]);

  // Presigned GETs of the thumbnails. The app's CSP allows images from its own origin only and
  // the bucket is on another, so they are links rather than inline pictures.
  useEffect(() => {
    void Promise.all(
      lot.images.map(async (image) => {
        const response = await fetch(
          `/v1/auctions/${lot.id}/images/${image.uploadId}?variant=thumbnail`,
        );

        return response.ok ? ((await response.json()) as { url: string }).url : undefined;
      }),
    ).then((urls) => setGallery(urls.filter((u): u is string => u !== undefined)));
  }, [lot]);

  useEffect(() => {
    const timer = setInterval(() => setNow(performance.now()), 250);

    return () => clearInterval(timer);
  }, []);

  const bid = useCallback(
    (event: FormEvent<HTMLFormElement>) => {
      event.preventDefault();
      const s = socket.current;
      const amount = toMinor(String(new FormData(event.currentTarget).get('amount')));
      if (!s || !live) {
        return;
      }
      if (!amount) {
        setAnswer({ text: 'amount: a number with at most two decimals', refused: true });

        return;
      }
      const payload = {
        auctionId: lot.id,
        amount,
        seenHighest: live.snapshot.highest,
        clientBidId: crypto.randomUUID(),
      };
      void s.emitWithAck(AuctionsEvent.Bid, payload).then((ack) => {
        if (ack.ok) {
          setAnswer({
            text: ack.bid.leading
              ? `Bid accepted: ${formatMinor(ack.bid.amount, SCALE)} ${lot.currency}`
              : `Accepted but outbid at once by a proxy maximum: now ${formatMinor(ack.bid.highest, SCALE)}`,
            refused: false,
          });
        } else {
          setAnswer({ text: refusal(ack, lot.currency), refused: true });
          // The refusal carries the lot's state at the server: render from it.
          const { state } = ack;
          if (state) {
            setLive(
              (l) => l && { snapshot: { ...l.snapshot, ...state }, receivedAt: performance.now() },
            );
          }
        }
      });
    },
    [live, lot],
  );

  if (!live) {
    return <p>Joining…</p>;
  }
  const { snapshot } = live;
  const left = secondsLeft(live, now);
  const money = (amount: string) => `${formatMinor(amount, SCALE)} ${lot.currency}`;

  return (
    <article aria-labelledby="lot-title">
      <h2 id="lot-title">{lot.title}</h2>
      <p>{lot.description}</p>
      {gallery.length > 0 && (
        <ul aria-label="Gallery">
          {gallery.map((url, i) => (
            <li key={url}>
              <a href={url} target="_blank" rel="noreferrer">
                Image {i + 1}
              </a>
            </li>
          ))}
        </ul>
      )}
      <dl data-testid="lot-state">
        <dt>State</dt>
        <dd data-testid="lot-status">
          {snapshot.state}
          {snapshot.outcome && ` (${snapshot.outcome})`}
        </dd>
        <dt>Highest</dt>
        <dd data-testid="lot-highest">
          {snapshot.highest ? money(snapshot.highest) : 'no bid yet'}
          {snapshot.highest && snapshot.leaderId === session.user?.id && ' (you lead)'}
        </dd>
        <dt>Bids</dt>
        <dd data-testid="lot-bids">{snapshot.bidCount}</dd>
        <dt>Ends in</dt>
        <dd data-testid="countdown" role="timer" aria-live="off">
          {snapshot.state === 'open' || snapshot.state === 'scheduled' ? `${left} s` : 'closed'}
        </dd>
      </dl>
      {session.user ? (
        // A scheduled lot opens at its first bid after `startsAt`; the server says when it is early.
        (snapshot.state === 'open' || snapshot.state === 'scheduled') && (
          <form onSubmit={bid} aria-label="Bid">
            <label>
              Your bid ({lot.currency}, at least {formatMinor(snapshot.minimumBid, SCALE)})
              <input name="amount" inputMode="decimal" required />
            </label>
            <button type="submit">Bid</button>
          </form>
        )
      ) : (
        <p>Sign in to bid.</p>
      )}
      {answer && (
        <p role="status" data-testid="bid-answer" className={answer.refused ? 'error' : undefined}>
          {answer.text}
        </p>
      )}
    </article>
  );
}

/** A refused bid as its REST status and what to bid next. */
function refusal(ack: BidRefusal, currency: string): string {
  const status = REFUSAL_STATUS[ack.error.code];
  const minimum = ack.state
    ? ` · minimum now ${formatMinor(ack.state.minimumBid, SCALE)} ${currency}`
    : '';

  return `${status ? `${status}: ` : ''}${ack.error.message}${ack.state?.state === 'closed' ? '' : minimum}`;
}
