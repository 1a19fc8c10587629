import { APP_CONFIG } from '@bourse/platform';
import { Inject, Injectable } from '@nestjs/common';
import { AggregatorRefusedError, AggregatorUnavailableError } from './orders.errors';
import type { OrdersAppConfig } from './orders.config';

/** DT One's transaction status classes Bourse acts on. */
export type AggregatorOutcome = 'pending' | 'completed' | 'declined';

export interface DtOneProduct {
  id: number;
  name: string;
  operator: { id: number; name: string; country: { iso_code: string; name: string } };
  destination: { amount: number; unit: string };
  prices: { wholesale: { amount: number; unit: string } };
}

export interface DtOneOperator {
  id: number;
  name: string;
  country: { iso_code: string; name: string };
}

export interface DtOneTransaction {
  id: number;
  external_id: string;
  status: { id: number; message: string; class: { id: number; message: string } };
}

/** DT One status classes: 7 COMPLETED; 3 REJECTED, 4 CANCELLED, 8 REVERSED, 9 DECLINED; else in flight. */
export function outcomeOf(transaction: DtOneTransaction): AggregatorOutcome {
  const cls = transaction.status.class.id;
  if (cls === 7) {
    return 'completed';
  }

  return [3, 4, 8, 9].includes(cls) ? 'declined' : 'pending';
}

const PER_PAGE = 100;

/**
 * The aggregator adapter, on DT One's DVS REST API (Basic auth; no official Node SDK exists):
 * products, mobile number lookup, asynchronous transactions (create with our order id as
 * `external_id` and a callback URL, confirm) and the status lookup. A 5xx, a timeout or a network
 * failure is `AggregatorUnavailableError` (the outcome is unknown); a 4xx is
 * `AggregatorRefusedError` with DT One's error code.
 */
@Injectable()
export class DtOneClient {
  constructor(@Inject(APP_CONFIG) private readonly config: OrdersAppConfig) {}

  /** Every product of the catalogue, page by page. */
  async listProducts(): Promise<DtOneProduct[]> {
    const products: DtOneProduct[] = [];
    for (let page = 1; ; page += 1) {
      const { body, headers } = await this.call<DtOneProduct[]>(
        'GET',
        `/v1/products?type=FIXED_VALUE_RECHARGE&per_page=${PER_PAGE}&page=${page}`,
      );
      products.push(...body);
      if (page >= Number(headers.get('x-total-pages') ?? 1)) {
        return products;
      }
    }
  }

  /** The operators the aggregator identifies the number with (empty: none). */
  async lookupMobileNumber(e164: string): Promise<DtOneOperator[]> {
    try {
      return (
        await this.call<DtOneOperator[]>(
          'GET',
          `/v1/lookups/mobile-number/${encodeURIComponent(e164)}`,
        )
      ).body;
    } catch (error) {
      if (error instanceof AggregatorRefusedError && error.httpStatus === 404) {
        return [];
      }
      throw error;
    }
  }

  async createTransaction(input: {
    externalId: string;
    productId: string;
    mobileNumber: string;
    callbackUrl: string;
  }): Promise<DtOneTransaction> {
    return (
      await this.call<DtOneTransaction>('POST', '/v1/async/transactions', {
        external_id: input.externalId,
        product_id: Number(input.productId),
        auto_confirm: false,
        credit_party_identifier: { mobile_number: input.mobileNumber },
        callback_url: input.callbackUrl,
      })
    ).body;
  }

  async confirmTransaction(id: string): Promise<DtOneTransaction> {
    return (await this.call<DtOneTransaction>('POST', `/v1/async/transactions/${id}/confirm`)).body;
  }

  async getTransaction(id: string): Promise<DtOneTransaction> {
    return (await this.call<DtOneTransaction>('GET', `/v1/transactions/${id}`)).body;
  }

  /** The transaction made for our order, if the aggregator has one. */
  async findByExternalId(externalId: string): Promise<DtOneTransaction | undefined> {
    const { body } = await this.call<DtOneTransaction[]>(
      'GET',
      `/v1/transactions?external_id=${encodeURIComponent(externalId)}`,
    );

    return body[0];
  }

  private async call<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: object,
  ): Promise<{ body: T; headers: Headers }> {
    const { apiUrl, apiKey, apiSecret, timeoutMs } = this.config.orders.dtone;
    let response: Response;
    try {
      response = await fetch(`${apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Basic ${Buffer.from(`${apiKey}:${apiSecret}`).toString('base64')}`,
          accept: 'application/json',
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new AggregatorUnavailableError(
        `${method} ${path}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const text = await response.text().catch(() => '');
    if (response.status >= 500) {
      throw new AggregatorUnavailableError(`${method} ${path}: HTTP ${response.status}`);
    }
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (!response.ok) {
      const first = (parsed as { errors?: { code?: number; message?: string }[] } | undefined)
        ?.errors?.[0];
      throw new AggregatorRefusedError(
        response.status,
        first?.code,
        first?.message ?? `HTTP ${response.status}`,
      );
    }

    return { body: parsed as T, headers: response.headers };
  }
}
