import { PageQueryDto } from '@bourse/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsUUID,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  MAX_BATCH_SIZE,
  type Transfer,
  type TransferErrorCode,
  type TransferPage,
  type TransferResult,
  type TransferStatus,
} from '../ledger.types';
import { IsMinorUnits, IsOptionalMinorUnits } from './amount';

export const ASSET_PATTERN = /^[A-Z][A-Z0-9]{1,11}$/;
export const TRANSFER_CODE_PATTERN = /^[a-z][a-z0-9._-]{0,63}$/;
/** Longest hold a caller may ask for; longer holds belong to a business process, not a timer. */
export const MAX_TIMEOUT_SECONDS = 30 * 24 * 3600;

const TRANSFER_STATUSES: TransferStatus[] = ['pending', 'posted', 'voided'];
const TRANSFER_ERROR_CODES: TransferErrorCode[] = [
  'ledger.invalid_transfer',
  'ledger.account_not_found',
  'ledger.asset_mismatch',
  'ledger.insufficient_funds',
  'ledger.balance_overflow',
  'ledger.account_frozen',
  'ledger.id_conflict',
  'ledger.linked_failed',
  'ledger.linked_chain_open',
];

export class CreateTransferDto {
  @ApiProperty({
    format: 'uuid',
    description: 'Chosen by the caller; retrying with the same id and fields is safe.',
  })
  @IsUUID()
  id!: string;

  @ApiProperty({ format: 'uuid', description: 'Account whose balance goes down.' })
  @IsUUID()
  debitAccountId!: string;

  @ApiProperty({ format: 'uuid', description: 'Account whose balance goes up.' })
  @IsUUID()
  creditAccountId!: string;

  @IsMinorUnits('Minor units of the asset, as a decimal string (USD 2 decimals: "1250" is 12.50).')
  amount!: string;

  @ApiProperty({
    example: 'USD',
    pattern: ASSET_PATTERN.source,
    description: 'Asset code; both accounts must hold it.',
  })
  @Matches(ASSET_PATTERN)
  asset!: string;

  @ApiProperty({
    example: 'deposit',
    pattern: TRANSFER_CODE_PATTERN.source,
    description: 'Business reason, e.g. `deposit`, `order.capture`, `fee`; a label of metrics.',
  })
  @Matches(TRANSFER_CODE_PATTERN)
  code!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Free-form context stored with the transfer (order id, provider reference).',
  })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({
    default: false,
    description: 'Two-phase: reserve the amount now; post or void it later.',
  })
  @IsOptional()
  @IsBoolean()
  pending?: boolean;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_TIMEOUT_SECONDS,
    description: 'Pending only: the worker voids the hold this many seconds after creation.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_TIMEOUT_SECONDS)
  timeoutSeconds?: number;
}

export class BatchTransferItemDto extends CreateTransferDto {
  @ApiPropertyOptional({
    default: false,
    description:
      'Chains this transfer with the next one: the chain (up to the first member without `linked`) succeeds or fails as a whole.',
  })
  @IsOptional()
  @IsBoolean()
  linked?: boolean;
}

export class CreateTransfersBatchDto {
  @ApiProperty({
    type: [BatchTransferItemDto],
    minItems: 1,
    maxItems: MAX_BATCH_SIZE,
    description: `1 to ${MAX_BATCH_SIZE} transfers, applied in order in one database transaction.`,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH_SIZE)
  @ValidateNested({ each: true })
  @Type(() => BatchTransferItemDto)
  transfers!: BatchTransferItemDto[];
}

export class PostTransferDto {
  @IsOptionalMinorUnits(
    'Amount to move, at most the held amount; the rest is released. Absent: the whole hold.',
  )
  amount?: string;
}

export class TransferDto {
  @ApiProperty({ format: 'uuid', description: 'Transfer id, chosen by its creator.' })
  id!: string;

  @ApiProperty({ format: 'uuid', description: 'Account whose balance went (or goes) down.' })
  debitAccountId!: string;

  @ApiProperty({ format: 'uuid', description: 'Account whose balance went (or goes) up.' })
  creditAccountId!: string;

  @ApiProperty({ example: 'USD', description: 'Asset code.' })
  asset!: string;

  @ApiProperty({
    example: '1250',
    description: 'Amount created, in minor units (the hold, for a two-phase transfer).',
  })
  amount!: string;

  @ApiPropertyOptional({
    example: '1000',
    description: 'Amount actually moved, in minor units; present once posted.',
  })
  postedAmount?: string;

  @ApiProperty({ example: 'deposit', description: 'Business reason given at creation.' })
  code!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Context stored with the transfer.',
  })
  metadata!: Record<string, unknown>;

  @ApiProperty({
    enum: TRANSFER_STATUSES,
    description: '`pending` holds funds; `posted` moved them; `voided` released the hold.',
  })
  status!: TransferStatus;

  @ApiProperty({ description: 'Created as two-phase (a hold), whatever its status is now.' })
  pending!: boolean;

  @ApiPropertyOptional({ type: 'integer', description: 'Hold timeout asked for at creation.' })
  timeoutSeconds?: number;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'When the worker voids the hold if it is still pending.',
  })
  timeoutAt?: Date;

  @ApiProperty({ type: String, format: 'date-time', description: 'Creation time.' })
  createdAt!: Date;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'When it was posted.' })
  postedAt?: Date;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'When it was voided.' })
  voidedAt?: Date;
}

export class TransferResultDto {
  @ApiProperty({ format: 'uuid', description: 'Id of the batch member this answers.' })
  id!: string;

  @ApiProperty({ description: 'Whether this transfer exists now (created or already there).' })
  ok!: boolean;

  @ApiProperty({
    enum: ['created', 'already_exists', ...TRANSFER_ERROR_CODES],
    description:
      '`created`, `already_exists` (same id and fields: a safe retry), or the error code of a refused member; `ledger.linked_failed` marks members refused because another member of their chain failed.',
  })
  result!: 'created' | 'already_exists' | TransferErrorCode;

  @ApiPropertyOptional({ type: TransferDto, description: 'The transfer, when `ok`.' })
  transfer?: TransferDto;

  @ApiPropertyOptional({ description: 'Why it was refused, when not `ok`.' })
  message?: string;
}

export class TransfersBatchResultDto {
  @ApiProperty({
    type: [TransferResultDto],
    description: 'One result per submitted transfer, in submission order.',
  })
  results!: TransferResultDto[];
}

export class TransfersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    enum: TRANSFER_STATUSES,
    description: 'Only transfers in this status (`pending`: the holds on the account).',
  })
  @IsOptional()
  @IsIn(TRANSFER_STATUSES)
  status?: TransferStatus;
}

export class TransferPageDto {
  @ApiProperty({
    type: [TransferDto],
    description: 'Transfers with the account on either side, newest first.',
  })
  transfers!: TransferDto[];

  @ApiPropertyOptional({
    description: 'Pass as `cursor` for the next (older) page; absent on the last page.',
  })
  nextCursor?: string;
}

export function toTransferPageDto(page: TransferPage): TransferPageDto {
  return { transfers: page.transfers.map(toTransferDto), nextCursor: page.nextCursor };
}

export function toTransferDto(transfer: Transfer): TransferDto {
  return {
    ...transfer,
    amount: transfer.amount.toString(),
    postedAmount: transfer.postedAmount?.toString(),
  };
}

export function toBatchResultDto(results: TransferResult[]): TransfersBatchResultDto {
  return {
    results: results.map((r) =>
      r.ok
        ? { id: r.id, ok: true, result: r.result, transfer: toTransferDto(r.transfer) }
        : { id: r.id, ok: false, result: r.result, message: r.message },
    ),
  };
}
