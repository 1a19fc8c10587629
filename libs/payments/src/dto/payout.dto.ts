import { IsMinorUnits } from '@bourse/ledger';
import { PageQueryDto } from '@bourse/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PAYOUT_STATES, type Payout, type PayoutState } from '../payments.types';

export class CreatePayoutDto {
  @IsMinorUnits('Minor units of the asset to withdraw, as a decimal string ("2500" is 25.00 USD).')
  amount!: string;

  @ApiProperty({ example: 'USD', description: 'Ledger asset (and currency) withdrawn.' })
  @IsString()
  @Matches(/^[A-Z][A-Z0-9]{1,9}$/, { message: '$property must be an asset code such as USD' })
  asset!: string;

  @ApiProperty({
    example: 'payee@example.com',
    description: 'The PayPal account (its e-mail) the money is sent to.',
  })
  @IsEmail()
  @MaxLength(127)
  receiver!: string;
}

export class PayoutsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'The last id of the previous page.' })
  @IsOptional()
  @IsUUID()
  declare cursor?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: "Staff only (`support`, `admin`): one user's payouts; without it, everyone's.",
  })
  @IsOptional()
  @IsUUID()
  ownerId?: string;
}

export class PayoutDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid', description: 'The withdrawing user.' })
  ownerId!: string;

  @ApiProperty({ example: 'USD' })
  asset!: string;

  @ApiProperty({ example: '2500', description: 'Withdrawn amount, minor units.' })
  amount!: string;

  @ApiProperty({ example: 'payee@example.com', description: 'The PayPal account paid.' })
  receiver!: string;

  @ApiProperty({
    enum: PAYOUT_STATES,
    description:
      '`pending` (held on the wallet) → `in_transit` (sent to PayPal) → `paid` (the hold is posted) | `failed` | `returned` (the hold is released, or the amount credited back if it was paid).',
  })
  state!: PayoutState;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'SUCCESS',
    description: "PayPal's last status of the payout item (or why it refused the payout).",
  })
  providerStatus!: string | null;

  @ApiProperty({ format: 'uuid', description: 'The ledger hold placed at the request.' })
  holdTransferId!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class PayoutPageDto {
  @ApiProperty({ type: [PayoutDto], description: 'Newest first.' })
  payouts!: PayoutDto[];

  @ApiPropertyOptional({ description: 'Pass as `cursor` for the next page; absent on the last.' })
  nextCursor?: string;
}

export function toPayoutDto(payout: Payout): PayoutDto {
  return {
    id: payout.id,
    ownerId: payout.ownerId,
    asset: payout.asset,
    amount: payout.amount.toString(),
    receiver: payout.receiver,
    state: payout.state,
    providerStatus: payout.providerStatus,
    holdTransferId: payout.holdTransferId,
    createdAt: payout.createdAt.toISOString(),
    updatedAt: payout.updatedAt.toISOString(),
  };
}
