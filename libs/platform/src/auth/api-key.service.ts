import { Injectable } from '@nestjs/common';
import { AuditLog } from '../audit/audit-log';
import { Database } from '../database/database';
import { newId } from '../database/ids';
import { ApiKeyRepository, type ApiKey } from './api-key.repository';
import { AUTH_AUDIT } from './auth.audit';
import { ApiKeyNotFoundError, ForbiddenError, InvalidTokenError } from './auth.errors';
import { formatToken, hashSecret, newSecret, parseToken, secretMatches } from './opaque-token';
import type { Principal } from './principal';

export interface NewApiKey {
  name: string;
  scopes: string[];
  /** After this the key no longer authenticates; absent: until revoked. */
  expiresAt?: Date;
}

/** A key as just created: `key` (`<id>.<secret>`) exists only in this answer. */
export interface CreatedApiKey extends ApiKey {
  key: string;
}

@Injectable()
export class ApiKeyService {
  constructor(
    private readonly db: Database,
    private readonly keys: ApiKeyRepository,
    private readonly audit: AuditLog,
  ) {}

  async create(input: NewApiKey, creator: Principal | undefined): Promise<CreatedApiKey> {
    if (creator?.kind !== 'user') {
      throw new ForbiddenError('API keys are created by users');
    }
    const token = { id: newId(), secret: newSecret() };
    const key = await this.db.transaction(undefined, async (tx) => {
      const inserted = await this.keys.insert(tx, {
        id: token.id,
        name: input.name,
        secretHash: hashSecret(token.secret),
        scopes: [...new Set(input.scopes)],
        createdBy: creator.userId,
        expiresAt: input.expiresAt ?? null,
      });
      await this.audit.record(
        tx,
        { actor: creator },
        AUTH_AUDIT.event('api_key.create', inserted.id, {
          name: inserted.name,
          scopes: inserted.scopes,
          expiresAt: inserted.expiresAt,
        }),
      );

      return inserted;
    });

    return { ...key, key: formatToken(token) };
  }

  /** Every key, newest first, revoked ones included; never their secrets. */
  list(): Promise<ApiKey[]> {
    return this.keys.list(this.db.manager);
  }

  /** Takes effect on the next request: keys are looked up on every call, never cached. */
  revoke(id: string, by: Principal | undefined): Promise<void> {
    return this.db.transaction(undefined, async (tx) => {
      if (!(await this.keys.revoke(tx, id))) {
        throw new ApiKeyNotFoundError(id);
      }
      await this.audit.record(tx, { actor: by }, AUTH_AUDIT.event('api_key.revoke', id));
    });
  }

  /** The principal of `<id>.<secret>`; one message for every failure, so ids cannot be probed. */
  async authenticate(credentials: string): Promise<Principal> {
    const token = parseToken(credentials);
    const key = token ? await this.keys.findActive(this.db.manager, token.id) : undefined;
    if (!token || !key || !secretMatches(token.secret, key.secretHash)) {
      throw new InvalidTokenError('Invalid API key');
    }
    await this.keys.touch(this.db.manager, key.id);

    return { kind: 'apiKey', apiKeyId: key.id, scopes: key.scopes };
  }
}
