import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { StatementEntry, StatementPage } from '../ledger.types';

export const STATEMENT_DEFAULT_LIMIT = 50;
export const STATEMENT_MAX_LIMIT = 200;

export class StatementQueryDto {
  @ApiPropertyOptional({
    description: '`nextCursor` of the previous page; absent for the newest entries.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: STATEMENT_MAX_LIMIT,
    default: STATEMENT_DEFAULT_LIMIT,
    description: 'Entries per page.',
  })
  @IsOptional()
  // Query strings are text: the one field converted before validation.
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(STATEMENT_MAX_LIMIT)
  limit?: number;
}

export class StatementEntryDto {
  @ApiProperty({ format: 'uuid', description: 'Entry id.' })
  id!: string;

  @ApiProperty({ format: 'uuid', description: 'Transfer that wrote this entry.' })
  transferId!: string;

  @ApiProperty({ example: 'USD', description: 'Asset code.' })
  asset!: string;

  @ApiProperty({
    enum: ['debit', 'credit'],
    description: '`credit` raised the balance, `debit` lowered it.',
  })
  side!: 'debit' | 'credit';

  @ApiProperty({ example: '1250', description: 'Amount moved, in positive minor units.' })
  amount!: string;

  @ApiProperty({
    example: '8750',
    description: 'Posted balance right after this entry (running balance), in minor units.',
  })
  balanceAfter!: string;

  @ApiProperty({ example: 'deposit', description: 'Business reason of the transfer.' })
  code!: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'When it was posted.' })
  createdAt!: Date;
}

export class StatementPageDto {
  @ApiProperty({ type: [StatementEntryDto], description: 'Posted entries, newest first.' })
  entries!: StatementEntryDto[];

  @ApiPropertyOptional({
    description: 'Pass as `cursor` for the next (older) page; absent on the last page.',
  })
  nextCursor?: string;
}

/** The page a statement query asks for, its default size filled in. */
export function pageOf(query: StatementQueryDto): { cursor?: string; limit: number } {
  return { cursor: query.cursor, limit: query.limit ?? STATEMENT_DEFAULT_LIMIT };
}

export function toStatementPageDto(page: StatementPage): StatementPageDto {
  return {
    entries: page.entries.map((e: StatementEntry) => ({
      id: e.id,
      transferId: e.transferId,
      asset: e.asset,
      side: e.side,
      amount: e.amount.toString(),
      balanceAfter: e.balanceAfter.toString(),
      code: e.code,
      createdAt: e.createdAt,
    })),
    nextCursor: page.nextCursor,
  };
}
