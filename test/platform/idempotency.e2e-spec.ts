import {
  Database,
  Idempotent,
  IdempotentCall,
  IdempotencyService,
  newId,
  Public,
  rows,
  type IdempotentRequest,
} from '@bourse/platform';
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
  constructor(private readonly idempotency: IdempotencyService) {}

  @Post('payments')
  @Idempotent()
  pay(@Body() body: PaymentDto, @IdempotentCall() call?: IdempotentRequest) {
    return this.record(body, call, {});
  }

  @Post('refunds')
  @Idempotent()
  refund(@Body() body: PaymentDto, @IdempotentCall() call?: IdempotentRequest) {
    return this.record(body, call, {});
  }

  // The response carries what jsonb cannot store (a provider's reference with U+0000), and keys
  // in an order jsonb would change.
  @Post('receipts')
  @Idempotent()
  receipt(@Body() body: PaymentDto, @IdempotentCall() call?: IdempotentRequest) {
    return this.record(body, call, { ref: 'R\u0000', zone: { zulu: 1, alpha: [2, 'ä'] }, a: true });
  }

  /** What a lib's route does: its write through IdempotencyService, no SQL of the key's. */
  private record(body: PaymentDto, call: IdempotentRequest | undefined, extra: object) {
    return this.idempotency.transaction(call, async (tx) => {
      handler.entered();
      if (body.delayMs) {
        await sleep(body.delayMs);
      }
      const id = newId();
      await rows(tx, `INSERT INTO ${TABLE} (id, note) VALUES ($1, $2)`, [id, body.note]);
      if (handler.failNext) {
        handler.failNext = false;
        throw new Error('handler failed after writing');
      }

      return { id, note: body.note, ...extra };
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
    // Behind a proxy: anonymous callers are told apart by X-Forwarded-For.
    api = await startApi({ TRUST_PROXY: 'true' }, [IdempotencyTestModule]);
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

  it('stores the key with the write, in its transaction: no row exists while it runs', async () => {
    const key = freshKey();
    const entered = new Promise<void>((resolve) => (handler.entered = resolve));
    const first = pay(key, { note: 'together', delayMs: 300 });
    await entered;
    expect(await rows(db.manager, `SELECT 1 FROM idempotency_keys WHERE key = $1`, [key])).toEqual(
      [],
    );

    expect((await first).status).toBe(201);
    const [stored] = await rows<{ xmin: string }>(
      db.manager,
      `SELECT xmin::text FROM idempotency_keys WHERE key = $1`,
      [key],
    );
    const [written] = await rows<{ xmin: string }>(
      db.manager,
      `SELECT xmin::text FROM ${TABLE} WHERE note = 'together'`,
    );
    expect(stored!.xmin).toBe(written!.xmin);
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

  it('replays the first response byte for byte, whatever jsonb would make of it', async () => {
    const key = freshKey();
    const receipt = async () => {
      const res = await fetch(`${api.url}/test/idempotency/receipts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ note: 'bytes' }),
      });

      return { res, bytes: Buffer.from(await res.arrayBuffer()) };
    };
    const first = await receipt();
    const replay = await receipt();

    expect(first.res.status).toBe(201);
    expect(first.res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(JSON.parse(first.bytes.toString())).toMatchObject({ ref: 'R\u0000', a: true });
    expect(first.bytes.toString()).toMatch(/"zone":\{"zulu":1,"alpha":\[2,"ä"\]\},"a":true\}$/);
    expect(replay.res.status).toBe(201);
    expect(replay.res.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(replay.bytes.equals(first.bytes)).toBe(true);
    expect(await executions('bytes')).toBe(1);
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

  it('scopes keys on a public route by client address when there are no credentials', async () => {
    const key = freshKey();
    const from = (ip: string) =>
      api.request('POST', '/test/idempotency/payments', {
        body: { note: 'anonymous' },
        headers: { 'idempotency-key': key, 'x-forwarded-for': ip },
      });
    const first = await from('203.0.113.7');
    const other = await from('198.51.100.9');
    const again = await from('203.0.113.7');

    expect([first.status, other.status, again.status]).toEqual([201, 201, 201]);
    expect(other.body.id).not.toBe(first.body.id);
    expect(other.headers.get('idempotent-replayed')).toBeNull();
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await executions('anonymous')).toBe(2);
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
        `INSERT INTO idempotency_keys
                (scope, key, method, path, request_hash, response_status, expires_at)
         SELECT 'purge-spec', $2 || i, 'POST', '/x', 'h', 201, $1::timestamptz
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
