import { PageQueryDto } from '@bourse/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsObject, IsOptional, IsUUID, Matches } from 'class-validator';
import {
  ACCOUNT_KINDS,
  type Account,
  type AccountKind,
  type AccountPage,
  type AccountWithBalance,
  type Asset,
} from '../ledger.types';
import { ASSET_PATTERN } from './transfer.dto';

/** A user id, or a system name such as `system:house`. */
export const OWNER_PATTERN =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|system:[a-z][a-z0-9._-]{0,63})$/i;

export class CreateAccountDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description:
      'Chosen by the caller to make creation idempotent: the same id and fields answer the existing account. Generated when absent.',
  })
  @IsOptional()
  @IsUUID()
  id?: string;

  @ApiProperty({ example: 'USD', pattern: ASSET_PATTERN.source, description: 'Asset code held.' })
  @Matches(ASSET_PATTERN)
  asset!: string;

  @ApiProperty({
    example: 'system:house',
    pattern: OWNER_PATTERN.source,
    description:
      "Who owns it: a user id (the account then appears in that user's `GET /v1/wallets`) or `system:<name>`.",
  })
  @Matches(OWNER_PATTERN)
  owner!: string;

  @ApiProperty({ enum: ACCOUNT_KINDS, description: 'Why the account exists.' })
  @IsIn(ACCOUNT_KINDS)
  kind!: AccountKind;

  @ApiPropertyOptional({
    default: false,
    description:
      'May go below zero: system kinds only (house, fees, clearing, float); user wallets never.',
  })
  @IsOptional()
  @IsBoolean()
  allowNegative?: boolean;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Free-form context stored with the account.',
  })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

export class BalanceDto {
  @ApiProperty({ example: '10000', description: 'Credits minus debits posted, in minor units.' })
  posted!: string;

  @ApiProperty({
    example: '-2500',
    description: 'Pending credits minus pending debits (net holds), in minor units.',
  })
  pending!: string;

  @ApiProperty({
    example: '7500',
    description: 'What can be spent: posted minus pending debits, in minor units.',
  })
  available!: string;

  @ApiProperty({ example: '0', description: 'Sum of posted debits, in minor units.' })
  debitsPosted!: string;

  @ApiProperty({ example: '10000', description: 'Sum of posted credits, in minor units.' })
  creditsPosted!: string;

  @ApiProperty({ example: '2500', description: 'Sum of pending debits (holds), in minor units.' })
  debitsPending!: string;

  @ApiProperty({ example: '0', description: 'Sum of pending credits, in minor units.' })
  creditsPending!: string;
}

export class AccountDto {
  @ApiProperty({ format: 'uuid', description: 'Account id.' })
  id!: string;

  @ApiProperty({ example: 'USD', description: 'Asset code held.' })
  asset!: string;

  @ApiProperty({ example: 'system:house', description: 'A user id or `system:<name>`.' })
  owner!: string;

  @ApiProperty({ enum: ACCOUNT_KINDS, description: 'Why the account exists.' })
  kind!: AccountKind;

  @ApiProperty({ description: 'Whether the balance may go below zero.' })
  allowNegative!: boolean;

  @ApiProperty({
    type: 'integer',
    example: 1,
    description: 'Balance rows the account is split into (above 1 for hot system accounts).',
  })
  shards!: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Context stored with the account.',
  })
  metadata!: Record<string, unknown>;

  @ApiProperty({ type: String, format: 'date-time', description: 'Creation time.' })
  createdAt!: Date;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description:
      'Since when the account is frozen (no transfer may debit or credit it); null if not.',
  })
  frozenAt!: Date | null;
}

export class AccountWithBalanceDto extends AccountDto {
  @ApiProperty({ type: BalanceDto, description: 'Current balance, in minor units.' })
  balance!: BalanceDto;
}

export class AccountsQueryDto extends PageQueryDto {
  @ApiProperty({
    example: 'system:house',
    pattern: OWNER_PATTERN.source,
    description: 'Whose accounts: a user id or `system:<name>`.',
  })
  @Matches(OWNER_PATTERN)
  owner!: string;

  @ApiPropertyOptional({
    example: 'USD',
    pattern: ASSET_PATTERN.source,
    description: 'Only this asset.',
  })
  @IsOptional()
  @Matches(ASSET_PATTERN)
  asset?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: '`nextCursor` of the previous page; absent for the first page.',
  })
  @IsOptional()
  @IsUUID()
  declare cursor?: string;
}

export class AccountPageDto {
  @ApiProperty({ type: [AccountWithBalanceDto], description: 'Accounts in id (creation) order.' })
  accounts!: AccountWithBalanceDto[];

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Pass as `cursor` for the next page; absent on the last page.',
  })
  nextCursor?: string;
}

export class WalletDto {
  @ApiProperty({ format: 'uuid', description: 'Account id, for `GET /v1/wallets/{id}/entries`.' })
  id!: string;

  @ApiProperty({ example: 'USD', description: 'Asset code held.' })
  asset!: string;

  @ApiProperty({
    type: 'integer',
    example: 2,
    description: 'Decimal places of the minor unit: "1250" with scale 2 is 12.50.',
  })
  scale!: number;

  @ApiProperty({ example: '10000', description: 'Settled balance, in minor units.' })
  posted!: string;

  @ApiProperty({
    example: '-2500',
    description: 'Net holds (pending credits minus pending debits), in minor units.',
  })
  pending!: string;

  @ApiProperty({
    example: '7500',
    description: 'What can be spent now: posted minus outgoing holds, in minor units.',
  })
  available!: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'When the wallet was opened.' })
  createdAt!: Date;

  @ApiProperty({
    description: 'Frozen by support: no money can move in or out until it is unfrozen.',
  })
  frozen!: boolean;
}

export function toAccountDto(account: Account): AccountDto {
  return {
    id: account.id,
    asset: account.asset,
    owner: account.owner,
    kind: account.kind,
    allowNegative: account.allowNegative,
    shards: account.shards,
    metadata: account.metadata,
    createdAt: account.createdAt,
    frozenAt: account.frozenAt,
  };
}

export function toAccountWithBalanceDto(account: AccountWithBalance): AccountWithBalanceDto {
  const b = account.balance;

  return {
    ...toAccountDto(account),
    balance: {
      posted: b.posted.toString(),
      pending: b.pending.toString(),
      available: b.available.toString(),
      debitsPosted: b.debitsPosted.toString(),
      creditsPosted: b.creditsPosted.toString(),
      debitsPending: b.debitsPending.toString(),
      creditsPending: b.creditsPending.toString(),
    },
  };
}

export function toAccountPageDto(page: AccountPage): AccountPageDto {
  return { accounts: page.accounts.map(toAccountWithBalanceDto), nextCursor: page.nextCursor };
}

export function toWalletDto(account: AccountWithBalance, asset: Asset): WalletDto {
  return {
    id: account.id,
    asset: account.asset,
    scale: asset.scale,
    posted: account.balance.posted.toString(),
    pending: account.balance.pending.toString(),
    available: account.balance.available.toString(),
    createdAt: account.createdAt,
    frozen: account.frozenAt !== null,
  };
}
