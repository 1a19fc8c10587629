import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { StatementEntry, StatementPage } from '../ledger.types';

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
