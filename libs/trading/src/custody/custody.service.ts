import { AccountsService } from '@bourse/ledger';
import { Database, newId } from '@bourse/platform';
import { Injectable, Logger } from '@nestjs/common';
import { formatPrice, parsePrice } from '../pricing';
import { METALS } from '../trading.types';
import { CustodianError } from '../trading.errors';
import { CustodianClient } from './custodian.client';
import type { CustodyInstructionJob } from './custody.jobs';
import { toReconciliationDto, type ReconciliationListDto } from './custody.dto';
import { CustodyRepository, type Reconciliation } from './custody.repository';

/**
 * The metal behind the users' balances, held by the custodian bank: each order's settlement
 * instruction, and the reconciliation of the ledger against the custodian's statement, which
 * reports a break (log, metric, admin list) and never corrects either side.
 */
@Injectable()
export class CustodyService {
  private readonly logger = new Logger('Custody');

  constructor(
    private readonly db: Database,
    private readonly repo: CustodyRepository,
    private readonly custodian: CustodianClient,
    private readonly accounts: AccountsService,
  ) {}

  /** Sends an executed order's metal movement; the order id is the custodian's idempotency key. */
  async instruct(job: CustodyInstructionJob): Promise<void> {
    await this.custodian.instruct({
      reference: job.orderId,
      instrument: job.metal,
      direction: job.side === 'buy' ? 'RECEIVE' : 'DELIVER',
      quantity: formatPrice(BigInt(job.weight), await this.scaleOf(job.metal)),
    });
  }

  /**
   * Compares, per metal, the custodian's statement with the sum of the users' balances and
   * records the result for the bucket; a difference is logged as a warning.
   */
  async reconcile(bucket: Date): Promise<Reconciliation[]> {
    const statement = await this.custodian.statement();
    const owed = await this.repo.userBalances(this.db.manager, METALS);
    const results: Reconciliation[] = [];
    for (const metal of METALS) {
      const scale = await this.scaleOf(metal);
      const held = statement.positions
        .filter((p) => p.instrument === metal)
        .reduce((sum, p) => sum + this.quantityOf(p.quantity, scale), 0n);
      const ledger = owed.get(metal) ?? 0n;
      const result = await this.repo.insert(this.db.manager, {
        id: newId(),
        bucket,
        metal,
        ledger,
        custodian: held,
        difference: held - ledger,
        statementId: statement.statementId,
        statementAt: new Date(statement.asOf),
      });
      if (result.difference !== 0n) {
        this.logger.warn({
          msg: 'custody reconciliation break',
          metal,
          ledger: result.ledger.toString(),
          custodian: result.custodian.toString(),
          difference: result.difference.toString(),
          statementId: result.statementId,
        });
      }
      results.push(result);
    }

    return results;
  }

  async recent(limit: number): Promise<ReconciliationListDto> {
    return { items: (await this.repo.recent(this.db.manager, limit)).map(toReconciliationDto) };
  }

  private quantityOf(quantity: string, scale: number): bigint {
    try {
      return parsePrice(quantity, scale);
    } catch {
      throw new CustodianError(`statement quantity ${quantity} is not grams at scale ${scale}`);
    }
  }

  private async scaleOf(asset: string): Promise<number> {
    const found = await this.accounts.getAsset(asset);
    if (!found) {
      throw new Error(`Asset ${asset} is not in the ledger`);
    }

    return found.scale;
  }
}
