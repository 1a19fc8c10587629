import { Database, Idempotent, IdempotencyService, newId, Public, rows } from '@bourse/platform';
import {
  Body,
  Controller,
  Injectable,
  Module,
  Post,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { startApi, type TestServer } from '../setup/apps';

const TABLE = 'idempotency_spec_payments';

/** Test-only control of the handler: how often it ran, a signal when it starts, one failure. */
const handler = { entered: (): void => undefined, failNext: false };

class PaymentDto {
  @ApiProperty({ description: 'Distinguishes the tests' })
  @IsString()
  note!: string;

  @ApiProperty({ required: false, description: 'How long the handler takes' })
  @IsOptional()
  @IsInt()
  delayMs?: number;
}

/** Stands in for the auth guard: `x-test-user` names the caller. */
@Injectable()
class TestPrincipalGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const user = request.headers['x-test-user'];
    if (typeof user === 'string') {
      request.principal = { kind: 'user', userId: user, role: 'user', sessionId: 'test' };
    }

    return true;
  }
}

@Public()
@UseGuards(TestPrincipalGuard)
@Controller('test/idempotency')
class IdempotencyTestController {
  constructor(private readonly db: Database) {}

  @Post('payments')
  @Idempotent()
  pay(@Body() body: PaymentDto): Promise<{ id: string; note: string }> {
    return this.record(body);
  }

  @Post('refunds')
  @Idempotent()
  refund(@Body() body: PaymentDto): Promise<{ id: string; note: string }> {
    return this.record(body);
  }

  // The response carries what Postgres cannot store (a provider's reference with U+0000, say).
  @Post('receipts')
  @Idempotent()
  async receipt(@Body() body: PaymentDto): Promise<{ id: string; note: string; ref: string }> {
    return { ...(await this.record(body)), ref: 'R\u0000' };
  }

  private async record(body: PaymentDto): Promise<{ id: string; note: string }> {
    handler.entered();
    if (body.delayMs) {
      await sleep(body.delayMs);
    }

    return this.db.transaction(undefined, async (tx) => {
      const id = newId();
      await rows(tx, `INSERT INTO ${TABLE} (id, note) VALUES ($1, $2)`, [id, body.note]);
      if (handler.failNext) {
        handler.failNext = false;
        throw new Error('handler failed after writing');
      }

      return { id, note: body.note };
    });
  }
}

@Module({ controllers: [IdempotencyTestController], providers: [TestPrincipalGuard] })
class IdempotencyTestModule {}

describe('idempotency keys', () => {
  let api: TestServer;
  let db: Database;
  let n = 0;
  const freshKey = (): string => `key-${Date.now()}-${n++}`;
  const pay = (key: string | undefined, body: Record<string, unknown>, user?: string) =>
    api.request('POST', '/test/idempotency/payments', {
      body,
      headers: {
        ...(key === undefined ? {} : { 'idempotency-key': key }),
        ...(user ? { 'x-test-user': user } : {}),
      },
    });
  const executions = async (note: string): Promise<number> =>
    Number(
      (
        await rows<{ n: string }>(
          db.manager,
          `SELECT count(*) AS n FROM ${TABLE} WHERE note = $1`,
          [note],
        )
      )[0]!.n,
    );

  beforeAll(async () => {
    api = await startApi({}, [IdempotencyTestModule]);
    db = api.app.get(Database);
    await db.manager.query(`CREATE TABLE ${TABLE} (id uuid PRIMARY KEY, note text NOT NULL)`);
  });
  afterAll(async () => {
    await db.manager.query(`DROP TABLE ${TABLE}`);
    await api.close();
  });

  it('replays the first response for a retry with the same key, running the handler once', async () => {
    const key = freshKey();
    const first = await pay(key, { note: 'replay' });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const retry = await pay(key, { note: 'replay' });
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await executions('replay')).toBe(1);
  });

  it('runs every request that carries no key', async () => {
    expect((await pay(undefined, { note: 'no-key' })).status).toBe(201);
    expect((await pay(undefined, { note: 'no-key' })).status).toBe(201);
    expect(await executions('no-key')).toBe(2);
  });

  it('refuses the same key with another body or path (422)', async () => {
    const key = freshKey();
    await pay(key, { note: 'mismatch' });

    const otherBody = await pay(key, { note: 'mismatch', delayMs: 1 });
    expect(otherBody.status).toBe(422);
    expect(otherBody.headers.get('content-type')).toContain('application/problem+json');
    expect(otherBody.body.code).toBe('idempotency.key_mismatch');

    const otherPath = await api.request('POST', '/test/idempotency/refunds', {
      body: { note: 'mismatch' },
      headers: { 'idempotency-key': key },
    });
    expect(otherPath.status).toBe(422);
    expect(await executions('mismatch')).toBe(1);
  });

  it('answers duplicates arriving while the first still runs with 409', async () => {
    const key = freshKey();
    const entered = new Promise<void>((resolve) => (handler.entered = resolve));
    const first = pay(key, { note: 'concurrent', delayMs: 400 });
    await entered;

    const duplicates = await Promise.all(
      [1, 2, 3].map(() => pay(key, { note: 'concurrent', delayMs: 400 })),
    );
    expect(duplicates.map((res) => res.status)).toEqual([409, 409, 409]);
    expect(duplicates[0]!.body.code).toBe('idempotency.request_in_progress');
    expect((await first).status).toBe(201);

    expect(
      (await pay(key, { note: 'concurrent', delayMs: 400 })).headers.get('idempotent-replayed'),
    ).toBe('true');
    expect(await executions('concurrent')).toBe(1);
  });

  it('lets exactly one of simultaneous first requests run', async () => {
    const key = freshKey();
    const results = await Promise.all(
      Array.from({ length: 6 }, () => pay(key, { note: 'race', delayMs: 200 })),
    );
    expect(results.map((res) => res.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    expect(await executions('race')).toBe(1);
  });

  it('claims and completes the keys of one turn in one statement each', async () => {
    const service = api.app.get(IdempotencyService);
    const statements: string[] = [];
    const query = db.manager.query.bind(db.manager);
    const spy = jest.spyOn(db.manager, 'query').mockImplementation((sql, params) => {
      statements.push(sql);

      return query(sql, params);
    });
    const request = { scope: 'user:batch', method: 'POST', path: '/p', requestHash: 'h1' };
    const [a, b] = [freshKey(), freshKey()];
    // Bodies travel in a text[] parameter: quotes, backslashes and nulls must survive it.
    const response = (key: string) => ({
      status: 201,
      body: { key, note: 'a "quoted" \\ value', none: null },
      headers: { location: `/x/${key}` },
    });
    try {
      const outcomes = await Promise.allSettled([
        service.claim({ ...request, key: a }),
        service.claim({ ...request, key: b }),
        service.claim({ ...request, key: a }),
        service.claim({ ...request, key: a, requestHash: 'h2' }),
      ]);
      expect(
        outcomes.map((o) =>
          o.status === 'fulfilled' ? o.value.outcome : (o.reason as { code: string }).code,
        ),
      ).toEqual([
        'claimed',
        'claimed',
        'idempotency.request_in_progress',
        'idempotency.key_mismatch',
      ]);
      await Promise.all(
        outcomes.slice(0, 2).map((o) => {
          const claim = o.status === 'fulfilled' ? o.value : undefined;
          if (claim?.outcome !== 'claimed') {
            throw new Error('expected a claim');
          }

          return service.complete(claim.lock, response(claim.lock.key));
        }),
      );
    } finally {
      spy.mockRestore();
    }
    expect(statements.filter((sql) => sql.includes('INSERT INTO idempotency_keys'))).toHaveLength(
      1,
    );
    expect(statements.filter((sql) => sql.includes('UPDATE idempotency_keys'))).toHaveLength(1);
    for (const key of [a, b]) {
      expect(await service.claim({ ...request, key })).toEqual({
        outcome: 'replay',
        response: response(key),
      });
    }
  });

  it('stores the other responses of a turn when one of them cannot be stored', async () => {
    const service = api.app.get(IdempotencyService);
    const request = { scope: 'user:isolation', method: 'POST', path: '/p', requestHash: 'h' };
    const [good, bad] = await Promise.all(
      [freshKey(), freshKey()].map((key) => service.claim({ ...request, key })),
    );
    if (good?.outcome !== 'claimed' || bad?.outcome !== 'claimed') {
      throw new Error('expected two claims');
    }
    const stored = { status: 201, body: { ok: true }, headers: {} };
    const completions = await Promise.allSettled([
      service.complete(good.lock, stored),
      service.complete(bad.lock, { ...stored, body: { ref: 'R\u0000' } }),
    ]);
    expect(completions.map((c) => c.status)).toEqual(['fulfilled', 'rejected']);
    expect(await service.claim({ ...request, key: good.lock.key })).toEqual({
      outcome: 'replay',
      response: stored,
    });
  });

  it('forgets the key when the handler fails, so a retry runs it', async () => {
    const key = freshKey();
    handler.failNext = true;
    expect((await pay(key, { note: 'failure' })).status).toBe(500);
    expect(await executions('failure')).toBe(0);

    const retry = await pay(key, { note: 'failure' });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(await executions('failure')).toBe(1);
  });

  it('answers with what the handler did even when its response cannot be stored', async () => {
    const key = freshKey();
    const receipt = () =>
      api.request('POST', '/test/idempotency/receipts', {
        body: { note: 'unstorable' },
        headers: { 'idempotency-key': key },
      });
    const first = await receipt();
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ note: 'unstorable', ref: 'R\u0000' });
    expect(await executions('unstorable')).toBe(1);
    expect(api.logs.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: 'idempotency response not stored', key }),
    );
    // The key stays held until its lock goes stale, so a retry cannot run the handler again.
    expect((await receipt()).status).toBe(409);
    expect(await executions('unstorable')).toBe(1);
  });

  it('scopes keys per caller', async () => {
    const key = freshKey();
    const alice = await pay(key, { note: 'scoped' }, 'alice');
    const bob = await pay(key, { note: 'scoped' }, 'bob');
    const anonymous = await pay(key, { note: 'scoped' });
    expect([alice.status, bob.status, anonymous.status]).toEqual([201, 201, 201]);
    expect(new Set([alice.body.id, bob.body.id, anonymous.body.id]).size).toBe(3);

    const aliceAgain = await pay(key, { note: 'scoped' }, 'alice');
    expect(aliceAgain.body).toEqual(alice.body);
    expect(aliceAgain.headers.get('idempotent-replayed')).toBe('true');
    const [row] = await rows<{ scope: string }>(
      db.manager,
      `SELECT scope FROM idempotency_keys WHERE key = $1 AND scope LIKE 'user:%' ORDER BY scope`,
      [key],
    );
    expect(row?.scope).toBe('user:alice');
  });

  it('rejects an empty or over-long key with a 400 naming the header', async () => {
    for (const key of ['', 'k'.repeat(256)]) {
      const res = await pay(key, { note: 'invalid-key' });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        code: 'idempotency.invalid_key',
        header: 'Idempotency-Key',
      });
      expect(res.body.detail).toContain('Idempotency-Key');
    }
    expect(await executions('invalid-key')).toBe(0);
    expect((await pay(freshKey().padEnd(255, 'k'), { note: 'invalid-key' })).status).toBe(201);
  });

  it('lets a retry take over a request whose lock went stale, but not a live one', async () => {
    const key = freshKey();
    await pay(key, { note: 'stale' });
    const pretendRunning = (lockedAgo: string) =>
      db.manager.query(
        `UPDATE idempotency_keys
            SET state = 'in_progress', lock_id = $2, response_status = NULL, response_body = NULL,
                locked_at = now() - $3::interval
          WHERE key = $1`,
        [key, newId(), lockedAgo],
      );

    await pretendRunning('1 minute');
    expect((await pay(key, { note: 'stale' })).status).toBe(409);

    await pretendRunning('10 minutes');
    const takeover = await pay(key, { note: 'stale' });
    expect(takeover.status).toBe(201);
    expect(takeover.headers.get('idempotent-replayed')).toBeNull();
    expect(await executions('stale')).toBe(2);
  });

  it('treats an expired key as absent before any purge', async () => {
    const key = freshKey();
    await pay(key, { note: 'expired' });
    await db.manager.query(
      `UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = $1`,
      [key],
    );

    const reused = await pay(key, { note: 'expired, new body' });
    expect(reused.status).toBe(201);
    expect(reused.headers.get('idempotent-replayed')).toBeNull();
  });

  it('documents the optional Idempotency-Key header in OpenAPI', async () => {
    const doc = await api.request('GET', '/openapi.json');
    const parameters = doc.body.paths['/test/idempotency/payments'].post.parameters;
    expect(parameters).toContainEqual(
      expect.objectContaining({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        schema: expect.objectContaining({ maxLength: 255 }),
      }),
    );
  });

  it('purgeExpired deletes only keys expired at the given time, in batches', async () => {
    const insert = (count: number, expiresAt: string) =>
      db.manager.query(
        `INSERT INTO idempotency_keys (scope, key, method, path, request_hash, state, expires_at)
         SELECT 'purge-spec', $2 || i, 'POST', '/x', 'h', 'in_progress', $1::timestamptz
           FROM generate_series(1, $3::int) AS i`,
        [expiresAt, `${expiresAt}-`, count],
      );
    await insert(2503, '1999-12-31T00:00:00Z');
    await insert(2, '2000-06-01T00:00:00Z');

    const purged = await api.app
      .get(IdempotencyService)
      .purgeExpired(new Date('2000-01-01T00:00:00Z'));
    expect(purged).toBe(2503);
    const left = await rows<{ n: string }>(
      db.manager,
      `SELECT count(*) AS n FROM idempotency_keys WHERE scope = 'purge-spec'`,
    );
    expect(left[0]!.n).toBe('2');
  });
});
