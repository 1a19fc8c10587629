import {
  LEDGER_QUEUE,
  LedgerJob,
  TransfersService,
  type VoidExpiredHoldsJob,
} from '@bourse/ledger';
import { TracedJob } from '@bourse/platform';
import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';

/** Holds voided per transaction; the sweep repeats until a round comes back short. */
export const SWEEP_BATCH = 500;
// One job voids at most this many rounds; a larger backlog is the next bucket's, so a job
// never runs unbounded and the backlog shows in the invariant check's `expired_pending`.
const MAX_ROUNDS = 100;

@Processor(LEDGER_QUEUE)
export class VoidExpiredHoldsProcessor {
  constructor(private readonly transfers: TransfersService) {}

  @Process(LedgerJob.VoidExpiredHolds)
  @TracedJob()
  async handle(_job: Job<VoidExpiredHoldsJob>): Promise<number> {
    // Delivered at least once: a repeated sweep finds those holds voided already.
    let voided = 0;
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const count = await this.transfers.voidExpired(new Date(), SWEEP_BATCH);
      voided += count;
      if (count < SWEEP_BATCH) {
        break;
      }
    }

    return voided;
  }
}
