import { PageQueryDto } from '@bourse/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import {
  PAYMENT_PROVIDERS,
  RECON_KINDS,
  RECON_STATUSES,
  type PaymentProvider,
  type ReconKind,
  type ReconLine,
  type ReconRun,
  type ReconStatus,
} from '../payments.types';

export class ReconRunsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'The last id of the previous page.' })
  @IsOptional()
  @IsUUID()
  declare cursor?: string;
}

export class ReconLineDto {
  @ApiProperty({ enum: RECON_KINDS, description: 'What kind of movement the line sums.' })
  kind!: ReconKind;

  @ApiProperty({
    enum: RECON_STATUSES,
    description:
      '`matched`; `missing_in_ledger`: the provider moved money we did not book; `missing_in_provider`: we booked money the provider does not report; `amount_mismatch`; `expected`: booked by us and still in transit.',
  })
  status!: ReconStatus;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'Our payment, when known.',
  })
  paymentId!: string | null;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'Our payout, for payout lines.',
  })
  payoutId!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'txn_1a2b3c',
    description: "The provider's transaction ids summed on this line, comma-separated.",
  })
  providerRef!: string | null;

  @ApiProperty({ example: 'USD' })
  asset!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '1250',
    description: 'The provider side, minor units.',
  })
  providerAmount!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '1250',
    description: 'Our side (the ledger), minor units.',
  })
  ledgerAmount!: string | null;
}

export class ReconRunDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: PAYMENT_PROVIDERS })
  provider!: PaymentProvider;

  @ApiProperty({ format: 'date-time', description: 'Start of the window reconciled (inclusive).' })
  windowFrom!: string;

  @ApiProperty({ format: 'date-time', description: 'End of the window (exclusive).' })
  windowTo!: string;

  @ApiProperty({ example: 42, description: 'Lines of the run.' })
  lines!: number;

  @ApiProperty({
    example: 0,
    description: 'Lines `missing_in_ledger`, `missing_in_provider` or `amount_mismatch`.',
  })
  exceptions!: number;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiPropertyOptional({
    type: [ReconLineDto],
    description: 'The lines, exceptions first (one run only, not in the list).',
  })
  details?: ReconLineDto[];
}

export class ReconRunPageDto {
  @ApiProperty({ type: [ReconRunDto], description: 'Newest first.' })
  runs!: ReconRunDto[];

  @ApiPropertyOptional({ description: 'Pass as `cursor` for the next page; absent on the last.' })
  nextCursor?: string;
}

export function toReconRunDto(run: ReconRun, lines?: ReconLine[]): ReconRunDto {
  return {
    id: run.id,
    provider: run.provider,
    windowFrom: run.windowFrom.toISOString(),
    windowTo: run.windowTo.toISOString(),
    lines: run.lines,
    exceptions: run.exceptions,
    createdAt: run.createdAt.toISOString(),
    details: lines?.map((line) => ({
      ...line,
      providerAmount: line.providerAmount?.toString() ?? null,
      ledgerAmount: line.ledgerAmount?.toString() ?? null,
    })),
  };
}
