import { Database, type Tx } from '@bourse/platform';
import { Injectable, Logger } from '@nestjs/common';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { DtOneClient } from './dtone.client';
import { InvalidPhoneError, OperatorNotFoundError } from './orders.errors';
import { OrdersRepository } from './orders.repository';
import type { Operator, Product } from './orders.types';
import { toMinor } from './pricing';

/** Minor-unit scale of the aggregator's wholesale currency (it prices in USD cents). */
const WHOLESALE_SCALE = 2;

/**
 * The aggregator's operators and products, cached in Postgres (refreshed by the worker's job,
 * or on first use of an empty cache), and the phone number → operator → products lookup.
 */
@Injectable()
export class CatalogueService {
  private readonly logger = new Logger('TopupCatalogue');

  constructor(
    private readonly db: Database,
    private readonly repository: OrdersRepository,
    private readonly dtone: DtOneClient,
  ) {}

  /** Re-reads the whole catalogue; answers how many operators and products it holds. */
  async refresh(): Promise<{ operators: number; products: number }> {
    const listed = await this.dtone.listProducts();
    const operators = new Map<string, Operator>();
    const products: Product[] = [];
    for (const p of listed) {
      const operator = {
        id: String(p.operator.id),
        name: p.operator.name,
        countryIso: p.operator.country.iso_code,
        countryName: p.operator.country.name,
      };
      operators.set(operator.id, operator);
      products.push({
        id: String(p.id),
        operatorId: operator.id,
        operatorName: operator.name,
        countryIso: operator.countryIso,
        name: p.name,
        wholesale: toMinor(p.prices.wholesale.amount, WHOLESALE_SCALE),
        wholesaleAsset: p.prices.wholesale.unit,
        destinationAmount: String(p.destination.amount),
        destinationCurrency: p.destination.unit,
        available: true,
      });
    }
    await this.db.transaction(undefined, (tx) =>
      this.repository.upsertCatalogue(tx, [...operators.values()], products),
    );
    this.logger.log({
      msg: 'top-up catalogue refreshed',
      operators: operators.size,
      products: products.length,
    });

    return { operators: operators.size, products: products.length };
  }

  /**
   * Products for a country (ISO 3166 alpha-3, as the aggregator names them) or for a phone
   * number (E.164, validated, its operator looked up at the aggregator), or both (they must
   * agree). Answers the E.164 number too.
   */
  async productsFor(query: {
    country?: string;
    phone?: string;
  }): Promise<{ phone?: string; operator?: { id: string; name: string }; products: Product[] }> {
    await this.ensureLoaded();
    if (!query.phone) {
      return {
        products: await this.repository.productsOf(this.db.manager, { countryIso: query.country }),
      };
    }
    const phone = this.normalise(query.phone);
    const [operator] = await this.dtone.lookupMobileNumber(phone);
    if (!operator) {
      throw new OperatorNotFoundError(`No operator is known for ${phone}`, 'phone');
    }
    if (query.country && operator.country.iso_code !== query.country) {
      throw new OperatorNotFoundError(
        `${phone} is a number of ${operator.country.iso_code}, not ${query.country}`,
        'country',
      );
    }
    const products = await this.repository.productsOf(this.db.manager, {
      operatorId: String(operator.id),
    });

    return { phone, operator: { id: String(operator.id), name: operator.name }, products };
  }

  product(id: string, tx: Tx): Promise<Product | undefined> {
    return this.repository.product(tx, id);
  }

  /** The number in E.164, refused unless libphonenumber-js finds it valid. */
  normalise(phone: string): string {
    if (!phone.startsWith('+')) {
      throw new InvalidPhoneError(phone, 'give it in international form, starting with +');
    }
    const parsed = parsePhoneNumberFromString(phone);
    if (!parsed?.isValid()) {
      throw new InvalidPhoneError(phone, 'no such number in its country’s numbering plan');
    }

    return parsed.number;
  }

  private async ensureLoaded(): Promise<void> {
    if ((await this.repository.countOperators(this.db.manager)) === 0) {
      await this.refresh();
    }
  }
}
