import {
  AccountsService,
  StatementsService,
  toStatementPageDto,
  TransfersService,
  type StatementPageDto,
} from '@bourse/ledger';
import {
  ApiKeyService,
  AuditLog,
  AuthService,
  Database,
  defineRole,
  IdempotencyService,
  newId,
  type AuditContext,
  type IdempotentRequest,
  type IdempotentResponse,
  type Tx,
} from '@bourse/platform';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@bourse/platform';
import { randomBytes } from 'node:crypto';
import {
  toResellerDto,
  type CreateResellerDto,
  type CreateResellerKeyDto,
  type ResellerDto,
  type ResellerKeyDto,
} from './dto/topup.dto';
import { ORDERS_AUDIT } from './orders.audit';
import type { OrdersAppConfig } from './orders.config';
import { ResellerNotFoundError } from './orders.errors';
import { legId } from './order-money';
import { OrdersRepository } from './orders.repository';
import type { Reseller } from './orders.types';

/** The user owning a reseller's float; nobody signs in as it (its password is never shown). */
export const RESELLER = defineRole('reseller', 'owns a top-up float; acts through its API keys');

export const TOPUP_SCOPE = 'topup';

/**
 * Resellers, as admins run them: creation (a float-owning user, its pricing), API keys bound to
 * it (scope `topup`, and `webhooks` for its endpoints), deposits into its float (the money it
 * wired us), and its float's statement.
 */
@Injectable()
export class ResellersService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: OrdersAppConfig,
    private readonly db: Database,
    private readonly idempotency: IdempotencyService,
    private readonly repository: OrdersRepository,
    private readonly auth: AuthService,
    private readonly apiKeys: ApiKeyService,
    private readonly accounts: AccountsService,
    private readonly transfers: TransfersService,
    private readonly statements: StatementsService,
    private readonly audit: AuditLog,
  ) {}

  create(
    body: CreateResellerDto,
    context: AuditContext,
    call?: IdempotentRequest,
  ): Promise<ResellerDto | IdempotentResponse<ResellerDto>> {
    return this.idempotency.transaction(call, async (tx) => {
      const user = await this.auth.createUser(
        { email: body.email, password: randomBytes(32).toString('base64url'), role: RESELLER },
        tx,
      );
      const feeBps = body.feeBps ?? this.config.orders.feeBps;
      const reseller = await this.repository.insertReseller(tx, {
        id: newId(),
        name: body.name,
        userId: user.id,
        asset: this.config.orders.asset,
        feeBps,
        commissionBps: Math.min(body.commissionBps ?? 0, feeBps),
      });
      await this.accounts.ensureWallet(user.id, reseller.asset, tx);
      await this.audit.record(
        tx,
        context,
        ORDERS_AUDIT.event('topup_reseller.create', reseller.id, {
          name: reseller.name,
          feeBps: reseller.feeBps,
          commissionBps: reseller.commissionBps,
        }),
      );

      return toResellerDto(reseller, 0n);
    });
  }

  async list(): Promise<ResellerDto[]> {
    const resellers = await this.repository.resellers(this.db.manager);

    return Promise.all(resellers.map(async (r) => toResellerDto(r, await this.available(r))));
  }

  async get(id: string): Promise<ResellerDto> {
    const reseller = await this.found(this.db.manager, id);

    return toResellerDto(reseller, await this.available(reseller));
  }

  /** A key for the reseller's systems; the secret is in this answer only (no Idempotency-Key). */
  async issueKey(
    id: string,
    body: CreateResellerKeyDto,
    context: AuditContext,
  ): Promise<ResellerKeyDto> {
    const reseller = await this.found(this.db.manager, id);
    const scopes = body.webhooks === false ? [TOPUP_SCOPE] : [TOPUP_SCOPE, 'webhooks'];
    const created = await this.apiKeys.create(
      { name: `${reseller.name}: ${body.name}`, scopes },
      context.actor,
    );
    // A key bound to no reseller opens nothing of top-up: a failure here leaves it inert.
    await this.db.transaction(undefined, async (tx) => {
      await this.repository.bindKey(tx, created.id, reseller.id);
      await this.audit.record(
        tx,
        context,
        ORDERS_AUDIT.event('topup_reseller.api_key', reseller.id, { apiKeyId: created.id }),
      );
    });

    return { id: created.id, scopes, key: created.key };
  }

  /** Money the reseller wired us, from the house into its float; keyed, audited. */
  deposit(
    id: string,
    amount: bigint,
    context: AuditContext,
    call?: IdempotentRequest,
  ): Promise<ResellerDto | IdempotentResponse<ResellerDto>> {
    return this.idempotency.transaction(call, async (tx) => {
      const reseller = await this.found(tx, id);
      const depositId = newId();
      await this.transfers.transfer(
        {
          id: legId(depositId, 'reseller-deposit'),
          debitAccountId: (await this.accounts.ensureSystemAccount('house', reseller.asset, tx)).id,
          creditAccountId: (await this.accounts.ensureWallet(reseller.userId, reseller.asset, tx))
            .id,
          amount,
          asset: reseller.asset,
          code: 'topup.float_deposit',
          metadata: { resellerId: reseller.id },
        },
        tx,
      );
      await this.audit.record(
        tx,
        context,
        ORDERS_AUDIT.event('topup_reseller.deposit', reseller.id, { amount: amount.toString() }),
      );

      return toResellerDto(reseller, await this.available(reseller, tx));
    });
  }

  /** The float's journal: deposits, holds posted, commissions, refunds. */
  async statement(id: string, page: { cursor?: string; limit: number }): Promise<StatementPageDto> {
    const reseller = await this.found(this.db.manager, id);
    const wallet = await this.accounts.ensureWallet(reseller.userId, reseller.asset);

    return toStatementPageDto(await this.statements.statement(wallet.id, page));
  }

  private async available(reseller: Reseller, tx?: Tx): Promise<bigint> {
    const wallet = await this.accounts.ensureWallet(reseller.userId, reseller.asset, tx);

    return (await this.accounts.getAccount(wallet.id, tx))!.balance.available;
  }

  private async found(tx: Tx, id: string): Promise<Reseller> {
    const reseller = await this.repository.reseller(tx, id);
    if (!reseller) {
      throw new ResellerNotFoundError(id);
    }

    return reseller;
  }
}
