import { APP_CONFIG, Database, newId } from '@bourse/platform';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { toReconRunDto, type ReconRunDto, type ReconRunPageDto } from './dto/reconciliation.dto';
import type { PaymentsAppConfig } from './payments.config';
import { ReconRunNotFoundError } from './payments.errors';
import {
  RECON_EXCEPTIONS,
  type PaymentProvider,
  type ReconKind,
  type ReconLine,
  type ReconRun,
  type SettlementLine,
} from './payments.types';
import { PayPalGateway } from './paypal.gateway';
import { ReconRepository, type BookedTotal } from './recon.repository';
import { StripeGateway } from './stripe.gateway';

/** One subject (payment or payout) and kind, both sides summed. */
interface Pair {
  kind: ReconKind;
  paymentId: string | null;
  payoutId: string | null;
  asset: string;
  provider?: { amount: bigint; refs: string[] };
  booked?: BookedTotal;
}

/**
 * Reconciliation: the provider's settlement report for a window, matched per payment (or payout)
 * and kind against what we booked in the ledger in the same window. Each pair is `matched`,
 * `missing_in_ledger`, `missing_in_provider`, `amount_mismatch`, or `expected` (booked by us
 * within PAYMENTS_RECON_GRACE_SECONDS of the window's end, or a payout PayPal still has: in
 * transit). The run and its lines are stored; money is never corrected here.
 */
@Injectable()
export class ReconciliationService {
  private readonly logger = new Logger('PaymentsReconciliation');

  constructor(
    @Inject(APP_CONFIG) private readonly config: PaymentsAppConfig,
    private readonly db: Database,
    private readonly repository: ReconRepository,
    private readonly stripe: StripeGateway,
    private readonly paypal: PayPalGateway,
  ) {}

  /** Reconciles `provider` over [from, to) (default: the PAYMENTS_RECON_WINDOW_HOURS before now). */
  async run(provider: PaymentProvider, window: { from?: Date; to?: Date } = {}): Promise<ReconRun> {
    const to = window.to ?? new Date();
    const from =
      window.from ?? new Date(to.getTime() - this.config.payments.reconWindowHours * 3600_000);
    const reported = await (provider === 'stripe' ? this.stripe : this.paypal).settlementLines(
      from,
      to,
    );
    const tx = this.db.manager;
    const booked = [
      ...(await this.repository.paymentTotals(tx, provider, from, to)),
      ...(provider === 'paypal' ? await this.repository.payoutTotals(tx, from, to) : []),
    ];
    const refs = [...new Set(reported.flatMap((line) => line.paymentRef ?? []))];
    const ids = refs.length > 0 ? await this.repository.paymentIds(tx, provider, refs) : new Map();
    const lines = this.match(reported, booked, ids, to);
    const exceptions = lines.filter((line) => RECON_EXCEPTIONS.includes(line.status)).length;
    const run = await this.db.transaction(undefined, (write) =>
      this.repository.insertRun(
        write,
        { id: newId(), provider, windowFrom: from, windowTo: to, lines: lines.length, exceptions },
        lines,
      ),
    );
    const summary = {
      msg: 'payments reconciliation',
      runId: run.id,
      provider,
      from: from.toISOString(),
      to: to.toISOString(),
      lines: lines.length,
      exceptions,
    };
    if (exceptions > 0) {
      this.logger.warn({
        ...summary,
        byStatus: Object.fromEntries(
          RECON_EXCEPTIONS.map((status) => [
            status,
            lines.filter((line) => line.status === status).length,
          ]),
        ),
      });
    } else {
      this.logger.log(summary);
    }

    return run;
  }

  async page(query: { cursor?: string; limit: number }): Promise<ReconRunPageDto> {
    const found = await this.repository.page(this.db.manager, {
      cursor: query.cursor,
      limit: query.limit + 1,
    });
    const shown = found.slice(0, query.limit);

    return {
      runs: shown.map((run) => toReconRunDto(run)),
      nextCursor: found.length > query.limit ? shown.at(-1)!.id : undefined,
    };
  }

  async get(id: string): Promise<ReconRunDto> {
    const run = await this.repository.find(this.db.manager, id);
    if (!run) {
      throw new ReconRunNotFoundError(id);
    }

    return toReconRunDto(run, await this.repository.linesOf(this.db.manager, id));
  }

  private match(
    reported: SettlementLine[],
    booked: BookedTotal[],
    ids: Map<string, string>,
    to: Date,
  ): ReconLine[] {
    const pairs = new Map<string, Pair>();
    const pairOf = (key: string, init: Omit<Pair, 'provider' | 'booked'>) => {
      let pair = pairs.get(key);
      if (!pair) {
        pair = init;
        pairs.set(key, pair);
      }

      return pair;
    };
    for (const line of reported) {
      const paymentId = line.paymentId ?? (line.paymentRef ? ids.get(line.paymentRef) : undefined);
      // A provider line for an intent we do not know stays keyed by the provider's id.
      const subject = line.payoutId ?? paymentId ?? `ref:${line.paymentRef}`;
      const pair = pairOf(`${line.kind}:${subject}`, {
        kind: line.kind,
        paymentId: paymentId ?? null,
        payoutId: line.payoutId ?? null,
        asset: line.asset,
      });
      pair.provider ??= { amount: 0n, refs: [] };
      pair.provider.amount += line.amount;
      pair.provider.refs.push(line.ref);
    }
    for (const total of booked) {
      const pair = pairOf(`${total.kind}:${total.payoutId ?? total.paymentId}`, {
        kind: total.kind,
        paymentId: total.paymentId,
        payoutId: total.payoutId,
        asset: total.asset,
      });
      pair.booked = total;
    }
    const graceStart = to.getTime() - this.config.payments.reconGraceSeconds * 1000;
    const lines: ReconLine[] = [];
    for (const pair of pairs.values()) {
      const { provider, booked: ours } = pair;
      if (!provider && (!ours || ours.amount === 0n)) {
        // A payout that failed or came back: nothing moved on either side.
        continue;
      }
      let status: ReconLine['status'];
      if (!ours || (ours.amount === 0n && provider)) {
        status = 'missing_in_ledger';
      } else if (ours.inTransit) {
        status = 'expected';
      } else if (!provider) {
        status = ours.latest.getTime() >= graceStart ? 'expected' : 'missing_in_provider';
      } else {
        status = provider.amount === ours.amount ? 'matched' : 'amount_mismatch';
      }
      lines.push({
        kind: pair.kind,
        status,
        paymentId: pair.paymentId,
        payoutId: pair.payoutId,
        providerRef: provider ? provider.refs.join(',') : null,
        asset: pair.asset,
        providerAmount: provider?.amount ?? null,
        ledgerAmount: ours?.amount ?? null,
      });
    }

    return lines;
  }
}
