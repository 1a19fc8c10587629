import {
  DomainError,
  IdempotentResponse,
  MetricsService,
  RequestValidationError,
} from '@bourse/platform';
import {
  Injectable,
  Module,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { tap, type Observable } from 'rxjs';
import { violationsByCheck } from './invariant-report';
import type { InvariantReport, TransferStatus } from './ledger.types';

interface CountedTransfer {
  code: string;
  status: TransferStatus;
}

/** A batch member's answer, as the api returns it. */
interface CountedResult {
  ok: boolean;
  result: string;
  transfer?: CountedTransfer;
}

/** Ledger counters and the invariant gauge, on the process's own registry (api and worker). */
@Injectable()
export class LedgerMetrics {
  private readonly transfers: Counter<'code' | 'status'>;
  private readonly failures: Counter<'reason'>;
  private readonly violations: Gauge<'check'>;
  private readonly lastRun: Gauge;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.transfers = new Counter({
      name: 'bourse_ledger_transfers_total',
      help: 'Transfers accepted, by business code and status when answered (pending or posted).',
      labelNames: ['code', 'status'],
      registers,
    });
    this.failures = new Counter({
      name: 'bourse_ledger_transfer_failures_total',
      help: 'Transfers refused, by error code (ledger.insufficient_funds, validation.failed, ...).',
      labelNames: ['reason'],
      registers,
    });
    // The Helm chart's PrometheusRule pages on any value above zero: keep this name and meaning.
    this.violations = new Gauge({
      name: 'bourse_ledger_invariant_violations',
      help: 'Violations found by the last ledger invariant check, by check; above 0 is a money incident.',
      labelNames: ['check'],
      registers,
    });
    // Set only on the worker that ran the check: alerts take the newest run across pods and page
    // when none ran lately, instead of trusting a gauge a pod set long ago.
    this.lastRun = new Gauge({
      name: 'bourse_ledger_invariant_last_run_timestamp_seconds',
      help: 'Unix time the last ledger invariant check in this process finished.',
      registers,
    });
  }

  transferAccepted(transfer: CountedTransfer): void {
    this.transfers.inc({ code: transfer.code, status: transfer.status });
  }

  transferFailed(error: unknown): void {
    this.failures.inc({ reason: failureReason(error) });
  }

  /** A batch's answers: new members count as transfers, refused ones as failures. */
  batchAnswered(results: CountedResult[]): void {
    for (const r of results) {
      if (!r.ok) {
        this.failures.inc({ reason: r.result });
      } else if (r.result === 'created' && r.transfer) {
        this.transferAccepted(r.transfer);
      }
    }
  }

  /** Sets the gauge from a report; returns the total number of violations found. */
  invariantsChecked(report: InvariantReport): number {
    let total = 0;
    for (const [check, count] of Object.entries(violationsByCheck(report))) {
      this.violations.set({ check }, count);
      total += count;
    }
    this.lastRun.setToCurrentTime();

    return total;
  }
}

/** Stable, bounded label values: a domain code, `validation.failed`, or `internal`. */
function failureReason(error: unknown): string {
  if (error instanceof DomainError) {
    return error.code;
  }
  if (error instanceof RequestValidationError) {
    return 'validation.failed';
  }

  return 'internal';
}

/**
 * Counts what a transfer-creating route answered (one transfer, or `{ results }` of a batch) and
 * what it refused, so controllers stay one call. Put it above @Idempotent(): replays are not
 * new transfers (they pass through it, and are skipped).
 */
@Injectable()
export class TransferMetricsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: LedgerMetrics) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      tap({
        next: (answer: unknown) => {
          // A keyed answer: a replay moved nothing; a first answer counts by its value.
          const body = answer instanceof IdempotentResponse ? answer.value : answer;
          if (body && typeof body === 'object' && 'results' in body) {
            this.metrics.batchAnswered((body as { results: CountedResult[] }).results);
          } else if (body) {
            this.metrics.transferAccepted(body as CountedTransfer);
          }
        },
        error: (error: unknown) => this.metrics.transferFailed(error),
      }),
    );
  }
}

export const CountTransfers = (): MethodDecorator => UseInterceptors(TransferMetricsInterceptor);

@Module({ providers: [LedgerMetrics], exports: [LedgerMetrics] })
export class LedgerMetricsModule {}
