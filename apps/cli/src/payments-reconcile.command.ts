import {
  PAYMENT_PROVIDERS,
  PaymentsReconModule,
  ReconciliationService,
  type PaymentProvider,
} from '@bourse/payments';
import { ConfigModule, DatabaseModule } from '@bourse/platform';
import { Module, type DynamicModule } from '@nestjs/common';
import { commandContext } from './context';
import type { CliConfig } from './cli.config';

@Module({})
class PaymentsReconcileModule {
  static forConfig(config: CliConfig): DynamicModule {
    return {
      module: PaymentsReconcileModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule, PaymentsReconModule],
    };
  }
}

/** Raised when a run has exceptions; its message is the report, so the CLI prints it and exits 1. */
export class ReconExceptionsError extends Error {
  constructor(readonly report: string) {
    super(report);
    this.name = 'ReconExceptionsError';
  }
}

function flag(flags: string[], name: string): string | undefined {
  const at = flags.indexOf(name);

  return at >= 0 ? flags[at + 1] : undefined;
}

function date(value: string | undefined, name: string): Date | undefined {
  if (value === undefined) {
    return undefined;
  }
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) {
    throw new Error(`${name} must be an ISO date, got ${value}`);
  }

  return parsed;
}

/**
 * `payments:reconcile [--provider stripe|paypal] [--from ISO] [--to ISO]`: the worker's scheduled
 * reconciliation on demand (default: both providers, the PAYMENTS_RECON_WINDOW_HOURS before
 * now). Stores each run like the job does and prints its exceptions; exits 1 when there are any.
 */
export async function reconcilePayments(config: CliConfig, flags: string[]): Promise<string> {
  const provider = flag(flags, '--provider');
  if (provider !== undefined && !PAYMENT_PROVIDERS.includes(provider as PaymentProvider)) {
    throw new Error(`--provider must be one of ${PAYMENT_PROVIDERS.join(', ')}`);
  }
  const window = {
    from: date(flag(flags, '--from'), '--from'),
    to: date(flag(flags, '--to'), '--to'),
  };
  const app = await commandContext(PaymentsReconcileModule.forConfig(config));
  try {
    const reconciliation = app.get(ReconciliationService);
    const lines: string[] = [];
    let exceptions = 0;
    for (const name of provider ? [provider as PaymentProvider] : PAYMENT_PROVIDERS) {
      const run = await reconciliation.get((await reconciliation.run(name, window)).id);
      exceptions += run.exceptions;
      lines.push(
        `${name}: run ${run.id} over ${run.windowFrom} .. ${run.windowTo}: ${run.lines} lines, ${run.exceptions} exceptions`,
        ...(run.details ?? [])
          .filter((line) => line.status !== 'matched' && line.status !== 'expected')
          .map(
            (line) =>
              `  ${line.status} ${line.kind} payment=${line.paymentId ?? '-'} payout=${line.payoutId ?? '-'} provider=${line.providerAmount ?? '-'} ledger=${line.ledgerAmount ?? '-'} ${line.asset} (${line.providerRef ?? 'no provider line'})`,
          ),
      );
    }
    if (exceptions > 0) {
      throw new ReconExceptionsError(lines.join('\n'));
    }

    return lines.join('\n');
  } finally {
    await app.close();
  }
}
