import type { components } from '@bourse/client';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useServices } from '../app-context';
import { formatMinor } from '../lib/money';
import { PriceStream } from '../markets/price-stream';

type Kyc = components['schemas']['KycDto'];
type Quote = components['schemas']['QuoteDto'];
type Holding = components['schemas']['HoldingDto'];
type DocumentType = components['schemas']['AttachDocumentDto']['type'];
type DocumentSide = components['schemas']['AttachDocumentDto']['side'];
type ContentType = components['schemas']['CreateUploadDto']['contentType'];

const DOCUMENT_TYPES: Record<DocumentType, string> = {
  PASSPORT: 'Passport',
  ID_CARD: 'Identity card',
  DRIVERS: 'Driving licence',
  RESIDENCE_PERMIT: 'Residence permit',
  UTILITY_BILL: 'Utility bill',
  SELFIE: 'Selfie',
};

const METAL_SYMBOLS = ['XAUUSD', 'XAGUSD', 'XPTUSD'];
/** Where the applicant can still send data and documents. */
const OPEN = ['not_started', 'collecting', 'resubmission_requested'];

/**
 * Gold: pass KYC (personal data, documents uploaded straight to the bucket, submit; the vendor's
 * answer arrives by itself), then buy and sell on a live quote with its countdown, and watch
 * holdings revalue on every tick of the `/prices` stream.
 */
export function GoldPage() {
  const { session } = useServices();
  const [kyc, setKyc] = useState<Kyc>();
  const [error, setError] = useState<string>();

  const loadKyc = useCallback(async () => {
    const { data, error: problem } = await session.client.GET('/v1/kyc');
    if (data) {
      setKyc(data);
    } else {
      setError(problem?.detail ?? 'KYC is not available');
    }
  }, [session]);

  useEffect(() => {
    void loadKyc();
  }, [loadKyc]);
  // While the vendor or compliance reviews, look again every two seconds.
  useEffect(() => {
    if (!kyc || !['submitted', 'in_review', 'on_hold'].includes(kyc.state)) {
      return;
    }
    const timer = setInterval(() => void loadKyc(), 2000);

    return () => clearInterval(timer);
  }, [kyc, loadKyc]);

  if (error) {
    return <p className="error">{error}</p>;
  }
  if (!kyc) {
    return <p>Loading…</p>;
  }

  return (
    <section>
      <h1>Gold</h1>
      <p data-testid="kyc-state">
        KYC: <strong>{kyc.state.replace(/_/g, ' ')}</strong> · tier {kyc.tier}
      </p>
      {OPEN.includes(kyc.state) && <KycForm kyc={kyc} onChange={setKyc} />}
      {kyc.tier !== 'none' && <Trading />}
    </section>
  );
}

function KycForm({ kyc, onChange }: { kyc: Kyc; onChange: (kyc: Kyc) => void }) {
  const { session } = useServices();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string>();

  const run = async (step: () => Promise<Kyc | undefined>) => {
    setBusy(true);
    setMessage(undefined);
    try {
      const next = await step();
      if (next) {
        onChange(next);
      }
    } catch (error) {
      setMessage((error as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const saveApplicant = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const field = (name: string) => String(form.get(name) ?? '');
    void run(async () => {
      const { data, error } = await session.client.POST('/v1/kyc/applicant', {
        body: {
          firstName: field('firstName'),
          lastName: field('lastName'),
          country: field('country').toUpperCase(),
          nationalId: field('nationalId'),
          birthDate: field('birthDate'),
        },
      });
      if (!data) {
        throw new Error(error?.detail ?? 'Not saved');
      }

      return data;
    });
  };

  // POST /v1/uploads, the file as a form POST to the bucket (the app's CSP allows its origin),
  // complete (the api checks the bytes), then link the verified upload to the case.
  const uploadDocument = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const file = form.get('file');
    if (!(file instanceof File) || file.size === 0) {
      setMessage('Choose a file');

      return;
    }
    void run(async () => {
      const created = await session.client.POST('/v1/uploads', {
        body: { purpose: 'kyc.document', contentType: file.type as ContentType, size: file.size },
      });
      if (!created.data) {
        throw new Error(created.error?.detail ?? 'Upload refused');
      }
      const upload = new FormData();
      for (const [name, value] of Object.entries(created.data.fields)) {
        upload.append(name, value);
      }
      upload.append('file', file);
      const posted = await fetch(created.data.url, { method: 'POST', body: upload });
      if (!posted.ok) {
        const xml = await posted.text();
        throw new Error(
          /<Message>([^<]*)<\/Message>/.exec(xml)?.[1] ?? `Storage answered ${posted.status}`,
        );
      }
      const uploadId = created.data.uploadId;
      const done = await session.client.POST('/v1/uploads/{id}/complete', {
        params: { path: { id: uploadId } },
      });
      if (done.data?.state !== 'verified') {
        throw new Error(done.error?.detail ?? 'The file is not a valid document');
      }
      const { data, error } = await session.client.POST('/v1/kyc/documents', {
        body: {
          uploadId,
          type: String(form.get('type')) as DocumentType,
          side: String(form.get('side')) as DocumentSide,
        },
      });
      if (!data) {
        throw new Error(error?.detail ?? 'Document not attached');
      }

      return data;
    });
  };

  const submit = () =>
    run(async () => {
      const { data, error } = await session.client.POST('/v1/kyc/submit');
      if (!data) {
        throw new Error(error?.detail ?? 'Not submitted');
      }

      return data;
    });

  return (
    <div className="columns">
      <form onSubmit={saveApplicant} data-testid="kyc-applicant">
        <h2>Your details</h2>
        <input name="firstName" placeholder="First name" required />
        <input name="lastName" placeholder="Last name" required />
        <input name="country" placeholder="Country (GB)" pattern="[A-Za-z]{2}" required />
        <input name="nationalId" placeholder="National id" required />
        <input name="birthDate" type="date" required />
        <button type="submit" disabled={busy}>
          Save
        </button>
      </form>
      <div>
        <h2>Documents</h2>
        <ul data-testid="kyc-documents">
          {kyc.documents.map((d) => (
            <li key={d.id}>
              {DOCUMENT_TYPES[d.type]} ({d.side}){d.redo ? ' — send it again' : ''}
            </li>
          ))}
        </ul>
        <form onSubmit={uploadDocument} data-testid="kyc-document">
          <label htmlFor="kyc-document-type">Document</label>
          <select id="kyc-document-type" name="type" defaultValue="PASSPORT">
            {Object.entries(DOCUMENT_TYPES).map(([type, label]) => (
              <option key={type} value={type}>
                {label}
              </option>
            ))}
          </select>
          <label htmlFor="kyc-document-side">Side</label>
          <select id="kyc-document-side" name="side" defaultValue="single">
            <option value="single">Single</option>
            <option value="front">Front</option>
            <option value="back">Back</option>
          </select>
          <label htmlFor="kyc-document-file">File</label>
          <input
            id="kyc-document-file"
            name="file"
            type="file"
            accept="image/jpeg,image/png,application/pdf"
            required
          />
          <button type="submit" disabled={busy}>
            Upload
          </button>
        </form>
        <h2>Review</h2>
        <button
          type="button"
          disabled={busy || kyc.state === 'not_started'}
          onClick={() => void submit()}
        >
          Submit for review
        </button>
        {message && <p className="error">{message}</p>}
      </div>
    </div>
  );
}

function Trading() {
  const { session, clock } = useServices();
  const [quote, setQuote] = useState<Quote>();
  const [message, setMessage] = useState<string>();
  const [holdings, setHoldings] = useState<Holding[]>([]);
  const [now, setNow] = useState(clock.now());
  const lastLoad = useRef(0);

  const loadHoldings = useCallback(async () => {
    lastLoad.current = Date.now();
    const { data } = await session.client.GET('/v1/trading/holdings');
    if (data) {
      setHoldings(data);
    }
  }, [session]);

  // Holdings revalue on each tick of a metal (at most once a second).
  useEffect(() => {
    void loadHoldings();
    const stream = new PriceStream(window.location.origin, METAL_SYMBOLS);
    const unlisten = stream.listen({
      tick: () => {
        if (Date.now() - lastLoad.current >= 1000) {
          void loadHoldings();
        }
      },
    });

    return () => {
      unlisten();
      stream.close();
    };
  }, [loadHoldings]);

  useEffect(() => {
    const timer = setInterval(() => setNow(clock.now()), 250);

    return () => clearInterval(timer);
  }, [clock]);

  const requestQuote = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const grams = Number(form.get('grams'));
    void session.client
      .POST('/v1/trading/quotes', {
        body: {
          metal: String(form.get('metal')) as 'XAU' | 'XAG' | 'XPT',
          side: String(form.get('side')) as 'buy' | 'sell',
          weight: String(Math.round(grams * 1000)),
        },
      })
      .then(({ data, error }) => {
        setQuote(data);
        setMessage(data ? undefined : error?.detail);
      });
  };

  const execute = (q: Quote) =>
    void session.client
      .POST('/v1/trading/orders', {
        body: { quoteId: q.id },
        params: { header: { 'Idempotency-Key': q.id } },
      })
      .then(({ data, error }) => {
        setQuote(undefined);
        setMessage(
          data ? `Executed: ${data.side} ${formatMinor(data.weight, 3)} g` : error?.detail,
        );
        void loadHoldings();
      });

  const left = quote ? Math.max(0, Math.ceil((Date.parse(quote.expiresAt) - now) / 1000)) : 0;

  return (
    <div className="columns">
      <div>
        <h2>Trade</h2>
        <form onSubmit={requestQuote} data-testid="quote-form">
          <select name="metal" defaultValue="XAU">
            <option value="XAU">Gold</option>
            <option value="XAG">Silver</option>
            <option value="XPT">Platinum</option>
          </select>
          <select name="side" defaultValue="buy">
            <option value="buy">Buy</option>
            <option value="sell">Sell</option>
          </select>
          <input name="grams" type="number" min="0.001" step="0.001" defaultValue="1" />
          <button type="submit">Quote</button>
        </form>
        {quote && (
          <div data-testid="quote">
            <p>
              {quote.side} {formatMinor(quote.weight, 3)} g at {quote.price} USD/oz: total{' '}
              {formatMinor(quote.total, 2)} USD (fee {formatMinor(quote.fee, 2)})
            </p>
            {left > 0 ? (
              <button type="button" onClick={() => execute(quote)}>
                {quote.side === 'buy' ? 'Buy' : 'Sell'} · {left} s
              </button>
            ) : (
              <p>Expired: ask for a new quote.</p>
            )}
          </div>
        )}
        {message && <p>{message}</p>}
      </div>
      <div>
        <h2>Holdings</h2>
        <table data-testid="holdings">
          <thead>
            <tr>
              <th>Metal</th>
              <th className="num">Grams</th>
              <th className="num">Cost</th>
              <th className="num">Value</th>
              <th className="num">P/L</th>
            </tr>
          </thead>
          <tbody>
            {holdings.map((h) => (
              <tr key={h.metal}>
                <td>{h.metal}</td>
                <td className="num">{formatMinor(h.weight, 3)}</td>
                <td className="num">{formatMinor(h.costBasis, 2)}</td>
                <td className="num">{h.value ? formatMinor(h.value, 2) : '—'}</td>
                <td className="num">{h.unrealisedPnl ? formatMinor(h.unrealisedPnl, 2) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {holdings.length === 0 && <p>No holdings yet.</p>}
      </div>
    </div>
  );
}
