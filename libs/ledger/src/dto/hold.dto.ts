import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { TransferPage } from '../ledger.types';

/** A pending transfer as the wallet's owner sees it: no counterpart account, no metadata. */
export class HoldDto {
  @ApiProperty({ format: 'uuid', description: 'The pending transfer.' })
  transferId!: string;

  @ApiProperty({
    enum: ['debit', 'credit'],
    description:
      '`debit`: money on its way out, already taken from the available balance; `credit`: on its way in, not spendable until posted.',
  })
  side!: 'debit' | 'credit';

  @ApiProperty({ example: '1250', description: 'Amount held, in minor units.' })
  amount!: string;

  @ApiProperty({ example: 'auction.bid', description: 'Business reason of the hold.' })
  code!: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'When it was placed.' })
  createdAt!: Date;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'When it lapses (and the money is released) unless it is settled first.',
  })
  timeoutAt?: Date;
}

export class HoldPageDto {
  @ApiProperty({ type: [HoldDto], description: 'Pending transfers, newest first.' })
  holds!: HoldDto[];

  @ApiPropertyOptional({
    description: 'Pass as `cursor` for the next (older) page; absent on the last page.',
  })
  nextCursor?: string;
}

export function toHoldPageDto(accountId: string, page: TransferPage): HoldPageDto {
  return {
    holds: page.transfers.map((t) => ({
      transferId: t.id,
      side: t.debitAccountId === accountId ? 'debit' : 'credit',
      amount: t.amount.toString(),
      code: t.code,
      createdAt: t.createdAt,
      timeoutAt: t.timeoutAt,
    })),
    nextCursor: page.nextCursor,
  };
}
