import {
  CustodyService,
  TRADING_QUEUE,
  TradingJob,
  type CustodyInstructionJob,
} from '@bourse/trading';
import { TracedJob } from '@bourse/platform';
import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';

/** Sends an executed order's settlement instruction to the custodian (idempotent by order id). */
@Processor(TRADING_QUEUE)
export class CustodyInstructionProcessor {
  constructor(private readonly custody: CustodyService) {}

  @Process(TradingJob.CustodyInstruction)
  @TracedJob()
  handle(job: Job<CustodyInstructionJob>): Promise<void> {
    return this.custody.instruct(job.data);
  }
}
