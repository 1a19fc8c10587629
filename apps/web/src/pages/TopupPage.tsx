import type { components } from '@bourse/client';
import { ORDER_EVENT, TOPUP_NAMESPACE, type OrderChangedPayload } from '@bourse/orders/contract';
import { useEffect, useState, type FormEvent } from 'react';
import { io } from 'socket.io-client';
import { useServices } from '../app-context';
import { formatMinor } from '../lib/money';

type Product = components['schemas']['ProductDto'];
type Quote = components['schemas']['TopupQuoteDto'];
type Order = components['schemas']['TopupOrderDto'];

const problem = (error: { detail?: string } | undefined) => error?.detail ?? 'Not available';

/**
 * A top-up from the wallet: a number (its operator looked up), one of its products, the quote,
 * then the order, followed live on `/topup` (each `order` event refetches it over REST) until
 * it is delivered or refunded.
 */
export function TopupPage() {
  const { session } = useServices();
  const [phone, setPhone] = useState('+525512345670');
  const [products, setProducts] = useState<Product[]>();
  const [quote, setQuote] = useState<Quote>();
  const [order, setOrder] = useState<Order>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    const token = session.accessToken;
    if (!order || !token) {
      return;
    }
    const socket = io(`${window.location.origin}${TOPUP_NAMESPACE}`, {
      auth: { token },
      transports: ['websocket'],
    });
    const refresh = async () => {
      const { data } = await session.client.GET('/v1/topup/orders/{id}', {
        params: { path: { id: order.id } },
      });
      if (data) {
        setOrder(data);
      }
    };
    socket.on(ORDER_EVENT, (changed: OrderChangedPayload) => {
      if (changed.id === order.id) {
        void refresh();
      }
    });
    socket.on('connect', () => void refresh());

    return () => {
      socket.close();
    };
  }, [order?.id, session]);

  const find = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setQuote(undefined);
    setOrder(undefined);
    const { data, error } = await session.client.GET('/v1/topup/products', {
      params: { query: { phone } },
    });
    setProducts(data?.products);
    setError(data ? undefined : problem(error));
  };
  const price = async (product: Product) => {
    const { data, error } = await session.client.POST('/v1/topup/quotes', {
      body: { productId: product.id, phone },
    });
    setQuote(data);
    setError(data ? undefined : problem(error));
  };
  const pay = async (quoteId: string) => {
    const { data, error } = await session.client.POST('/v1/topup/orders', {
      body: { quoteId, payWith: 'wallet' },
      params: { header: { 'Idempotency-Key': `topup-${quoteId}` } },
    });
    setOrder(data);
    setError(data ? undefined : problem(error));
  };

  return (
    <section>
      <h1>Mobile top-up</h1>
      <form onSubmit={(event) => void find(event)}>
        <label>
          Phone number <input value={phone} onChange={(event) => setPhone(event.target.value)} />
        </label>{' '}
        <button type="submit">Find products</button>
      </form>
      {error && <p className="error">{error}</p>}
      {products && (
        <table data-testid="topup-products">
          <thead>
            <tr>
              <th>Operator</th>
              <th>Receives</th>
              <th className="num">Cost</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {products.map((product) => (
              <tr key={product.id}>
                <td>{product.operatorName}</td>
                <td>
                  {product.destinationAmount} {product.destinationCurrency}
                </td>
                <td className="num">
                  {formatMinor(product.cost, 2)} {product.costAsset}
                </td>
                <td>
                  <button type="button" onClick={() => void price(product)}>
                    Quote
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {quote && !order && (
        <p data-testid="topup-quote">
          {quote.destinationAmount} {quote.destinationCurrency} to {quote.phone} for{' '}
          {formatMinor(quote.price, 2)} {quote.asset} (fee {formatMinor(quote.fee, 2)}, rate{' '}
          {quote.fxRate}), valid until {new Date(quote.expiresAt).toLocaleTimeString()}.{' '}
          <button type="button" onClick={() => void pay(quote.id)}>
            Pay from wallet
          </button>
        </p>
      )}
      {order && (
        <div data-testid="topup-order">
          <h2>
            Order {order.id.slice(0, 8)}: <span data-testid="topup-state">{order.state}</span>
          </h2>
          {order.failureReason && <p className="error">{order.failureReason}</p>}
          <ol>
            {order.events.map((event) => (
              <li key={event.version}>
                {new Date(event.at).toLocaleTimeString()} {event.from ?? 'new'} → {event.to}
                {event.reason ? ` (${event.reason})` : ''}
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}
