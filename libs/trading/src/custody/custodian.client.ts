import { APP_CONFIG } from '@bourse/platform';
import { Inject, Injectable } from '@nestjs/common';
import type { TradingAppConfig } from '../trading.config';
import { CustodianError } from '../trading.errors';

/** One position of a custody statement: `quantity` grams, a decimal string. */
export interface CustodyPosition {
  instrument: string;
  description?: string;
  quantity: string;
  unit: 'GRAM';
  form: 'ALLOCATED' | 'UNALLOCATED';
}

/** A statement of holdings as the custody API answers it. */
export interface CustodyStatement {
  statementId: string;
  accountId: string;
  asOf: string;
  positions: CustodyPosition[];
}

export interface CustodyInstruction {
  /** Our business key (the order id); the custodian applies one reference once. */
  reference: string;
  instrument: string;
  direction: 'RECEIVE' | 'DELIVER';
  /** Grams, a decimal string. */
  quantity: string;
}

/**
 * The custodian bank's custody API (REST, bearer key): the statement of holdings of our client
 * metal account, and settlement instructions moving metal in or out of it, each with an
 * `Idempotency-Key` so a retried job is applied once. At TRADING_CUSTODY_API_URL.
 */
@Injectable()
export class CustodianClient {
  constructor(@Inject(APP_CONFIG) private readonly config: TradingAppConfig) {}

  statement(): Promise<CustodyStatement> {
    return this.call<CustodyStatement>(
      'GET',
      `/v1/custody/accounts/${encodeURIComponent(this.config.trading.custody.account)}/statement`,
    );
  }

  instruct(instruction: CustodyInstruction): Promise<{ instructionId: string; status: string }> {
    return this.call(
      'POST',
      `/v1/custody/accounts/${encodeURIComponent(this.config.trading.custody.account)}/instructions`,
      { ...instruction, unit: 'GRAM' },
      instruction.reference,
    );
  }

  private async call<T>(
    method: string,
    path: string,
    body?: unknown,
    idempotencyKey?: string,
  ): Promise<T> {
    const { apiUrl, apiKey, timeoutMs } = this.config.trading.custody;
    let response: Response;
    try {
      response = await fetch(new URL(path, apiUrl), {
        method,
        headers: {
          accept: 'application/json',
          authorization: `Bearer ${apiKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new CustodianError(`${method} ${path}: ${(error as Error).message}`);
    }
    const text = await response.text();
    if (!response.ok) {
      throw new CustodianError(`${method} ${path}: ${response.status} ${text.slice(0, 200)}`);
    }

    return JSON.parse(text) as T;
  }
}
