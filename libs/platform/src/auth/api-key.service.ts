import { Injectable } from '@nestjs/common';
import { Database } from '../database/database';
import { newId } from '../database/ids';
import { ApiKeyRepository, type ApiKey } from './api-key.repository';
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
  ) {}

  async create(input: NewApiKey, creator: Principal | undefined): Promise<CreatedApiKey> {
    if (creator?.kind !== 'user') {
      throw new ForbiddenError('API keys are created by users');
    }
    const token = { id: newId(), secret: newSecret() };
    const key = await this.keys.insert(this.db.manager, {
      id: token.id,
      name: input.name,
      secretHash: hashSecret(token.secret),
      scopes: [...new Set(input.scopes)],
      createdBy: creator.userId,
      expiresAt: input.expiresAt ?? null,
    });

    return { ...key, key: formatToken(token) };
  }

  /** Every key, newest first, revoked ones included; never their secrets. */
  list(): Promise<ApiKey[]> {
    return this.keys.list(this.db.manager);
  }

  /** Takes effect on the next request: keys are looked up on every call, never cached. */
  async revoke(id: string): Promise<void> {
    if (!(await this.keys.revoke(this.db.manager, id))) {
      throw new ApiKeyNotFoundError(id);
    }
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
