import { ApiProperty } from '@nestjs/swagger';
import { METALS, type Metal } from '../trading.types';
import type { Reconciliation } from './custody.repository';

export class ReconciliationDto {
  @ApiProperty({ format: 'uuid', description: 'The result.' })
  id!: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'The schedule’s bucket the run belongs to (one run per bucket).',
  })
  bucket!: Date;

  @ApiProperty({ enum: METALS, description: 'The metal compared.' })
  metal!: Metal;

  @ApiProperty({
    example: '1250000',
    description: 'What the ledger owes users: their wallets’ posted balances, milligrams.',
  })
  ledger!: string;

  @ApiProperty({
    example: '1250000',
    description: 'What the custodian’s statement holds, milligrams.',
  })
  custodian!: string;

  @ApiProperty({
    example: '0',
    description: 'custodian − ledger, milligrams: anything but 0 is a break to investigate.',
  })
  difference!: string;

  @ApiProperty({ description: 'The custodian’s statement id.' })
  statementId!: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'The statement’s as-of time.' })
  statementAt!: Date;

  @ApiProperty({ type: String, format: 'date-time', description: 'When it was recorded.' })
  createdAt!: Date;
}

export class ReconciliationListDto {
  @ApiProperty({ type: [ReconciliationDto], description: 'Newest first.' })
  items!: ReconciliationDto[];
}

export const toReconciliationDto = (r: Reconciliation): ReconciliationDto => ({
  id: r.id,
  bucket: r.bucket,
  metal: r.metal as Metal,
  ledger: r.ledger.toString(),
  custodian: r.custodian.toString(),
  difference: r.difference.toString(),
  statementId: r.statementId,
  statementAt: r.statementAt,
  createdAt: r.createdAt,
});
