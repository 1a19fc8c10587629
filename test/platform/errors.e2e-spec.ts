import { Database, DomainError, Public, REDIS } from '@bourse/platform';
import { Body, Controller, Get, Inject, Module, Param, Post } from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsEmail,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Min,
  ValidateNested,
} from 'class-validator';
import type Redis from 'ioredis';
import { startApi, type HttpResult, type TestServer } from '../setup/apps';

class OrderLineDto {
  @IsString() sku!: string;
  @IsInt() @Min(1) quantity!: number;
}

class PlaceOrderDto {
  @IsEmail() email!: string;
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => OrderLineDto)
  lines!: OrderLineDto[];
  @IsOptional() @IsString() note?: string;
}

class DocumentDto {
  @IsObject() content!: Record<string, unknown>;
}

class OutOfStockError extends DomainError {
  readonly code = 'test.out_of_stock';
  readonly status = 422;

  constructor(sku: string, available: number) {
    super(`${sku} is out of stock`);
    Object.assign(this.extensions, { sku, available });
  }
}

const LEAKY_MESSAGE = 'connection to 10.0.0.7 failed, password=hunter2';

@Public()
@Controller('test/errors')
class ErrorsTestController {
  constructor(
    private readonly db: Database,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  @Get('cached')
  async cached(): Promise<{ value: string | null }> {
    return { value: await this.redis.get('test:errors:cached') };
  }

  @Post('orders')
  place(@Body() order: PlaceOrderDto): { lines: number; isDto: boolean } {
    return { lines: order.lines.length, isDto: order.lines[0] instanceof OrderLineDto };
  }

  @Get('out-of-stock')
  outOfStock(): never {
    throw new OutOfStockError('XAU-1OZ', 0);
  }

  @Get('crash')
  crash(): never {
    throw new Error(LEAKY_MESSAGE);
  }

  @Get('slow')
  async slow(): Promise<{ slept: true }> {
    await this.db.manager.query('SELECT pg_sleep(1)');

    return { slept: true };
  }

  @Post('documents')
  async store(@Body() doc: DocumentDto): Promise<{ stored: true }> {
    await this.db.manager.query('INSERT INTO test_errors_documents (content) VALUES ($1::jsonb)', [
      JSON.stringify(doc.content),
    ]);

    return { stored: true };
  }

  @Post('handles/:handle')
  async claim(@Param('handle') handle: string): Promise<{ handle: string }> {
    await this.db.manager.query('INSERT INTO test_errors_handles (handle) VALUES ($1)', [handle]);

    return { handle };
  }
}

@Module({ controllers: [ErrorsTestController] })
class ErrorsTestModule {}

/** Every error leaves the api as an RFC 9457 document naming the request. */
function expectProblem(res: HttpResult, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toEqual(
    expect.objectContaining({
      type: `urn:problem:bourse:${code}`,
      title: expect.any(String),
      status,
      detail: expect.any(String),
      instance: expect.stringMatching(/^\//),
      code,
      requestId: res.headers.get('x-request-id'),
    }),
  );
}

const BODY_LIMIT_BYTES = 2048;

describe('errors as problem+json', () => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startApi({ BODY_LIMIT_BYTES: String(BODY_LIMIT_BYTES) }, [ErrorsTestModule]);
    await api.app.get(Database).manager.query(
      `CREATE TABLE test_errors_handles (handle text PRIMARY KEY);
         CREATE TABLE test_errors_documents (content jsonb NOT NULL)`,
    );
  });
  afterAll(() => api.close());

  const validOrder = { email: 'a@example.com', lines: [{ sku: 'XAU-1OZ', quantity: 2 }] };

  it('accepts a valid body as a DTO instance', async () => {
    const res = await api.request('POST', '/test/errors/orders', { body: validOrder });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ lines: 1, isDto: true });
  });

  it('names each invalid field, nested ones by dotted path', async () => {
    const res = await api.request('POST', '/test/errors/orders', {
      body: { email: 'nope', lines: [{ sku: 'XAU-1OZ', quantity: 1 }, { quantity: 0 }] },
    });
    expectProblem(res, 400, 'validation.failed');
    expect(res.body.instance).toBe('/test/errors/orders');
    expect(res.body.errors).toEqual([
      { field: 'email', messages: ['email must be an email'] },
      { field: 'lines.1.sku', messages: ['sku must be a string'] },
      { field: 'lines.1.quantity', messages: ['quantity must not be less than 1'] },
    ]);
  });

  it('rejects unknown fields by name instead of dropping them', async () => {
    const res = await api.request('POST', '/test/errors/orders', {
      body: { ...validOrder, isAdmin: true, lines: [{ sku: 'A', quantity: 1, price: '0' }] },
    });
    expectProblem(res, 400, 'validation.failed');
    expect(res.body.errors).toEqual([
      { field: 'isAdmin', messages: ['property isAdmin should not exist'] },
      { field: 'lines.0.price', messages: ['property price should not exist'] },
    ]);
  });

  it.each([
    ['null', 'null'],
    ['an array', '[]'],
    ['a string', '"order"'],
  ])('answers a JSON body that is %s with 400, not 500', async (_what, body) => {
    const res = await api.request('POST', '/test/errors/orders', { body });
    expectProblem(res, 400, 'validation.failed');
  });

  it('refuses the NUL character, which Postgres cannot store, naming each field', async () => {
    const res = await api.request('POST', '/test/errors/documents', {
      body: { content: { title: 'a\u0000b', tags: ['ok', '\u0000'], 'k\u0000': 1 } },
    });
    expectProblem(res, 400, 'validation.failed');
    const nul = ['must not contain the NUL character (U+0000)'];
    expect(res.body.errors).toEqual([
      { field: 'content.title', messages: nul },
      { field: 'content.tags.1', messages: nul },
      { field: 'content.k\u0000', messages: ['name ' + nul[0]] },
    ]);
  });

  it('refuses JSON nested more than 32 levels deep before anything walks it', async () => {
    // The body is the first level, `content` the second.
    const deep = (levels: number): unknown => (levels === 0 ? 'leaf' : { a: deep(levels - 1) });
    const post = (levels: number) =>
      api.request('POST', '/test/errors/documents', { body: { content: deep(levels) } });
    expect((await post(31)).status).toBe(201);

    const res = await post(32);
    expectProblem(res, 400, 'validation.failed');
    expect(res.body.errors).toEqual([
      {
        field: 'content' + '.a'.repeat(31),
        messages: ['must not nest objects and arrays more than 32 levels deep'],
      },
    ]);
  });

  it('answers malformed JSON with 400', async () => {
    const res = await api.request('POST', '/test/errors/orders', { body: '{"email": ' });
    expectProblem(res, 400, 'http.bad_request');
  });

  it('answers a body over BODY_LIMIT_BYTES with 413', async () => {
    const body = { ...validOrder, note: 'x'.repeat(BODY_LIMIT_BYTES) };
    const res = await api.request('POST', '/test/errors/orders', { body });
    expectProblem(res, 413, 'http.payload_too_large');
  });

  it('answers an unsupported media type with 415', async () => {
    const res = await api.request('POST', '/test/errors/orders', {
      body: '<order/>',
      headers: { 'content-type': 'application/xml' },
    });
    expectProblem(res, 415, 'http.unsupported_media_type');
  });

  it('answers a DomainError with its status, code and extensions', async () => {
    const res = await api.request('GET', '/test/errors/out-of-stock');
    expectProblem(res, 422, 'test.out_of_stock');
    expect(res.body).toMatchObject({
      title: 'Unprocessable Entity',
      detail: 'XAU-1OZ is out of stock',
      sku: 'XAU-1OZ',
      available: 0,
    });
  });

  it('answers a Postgres unique violation with 409 naming the constraint', async () => {
    expect((await api.request('POST', '/test/errors/handles/goldbug')).status).toBe(201);
    const res = await api.request('POST', '/test/errors/handles/goldbug');
    expectProblem(res, 409, 'conflict.unique_violation');
    expect(res.body.constraint).toBe('test_errors_handles_pkey');
  });

  it('answers an unexpected error with a bare 500 and logs it with the request id', async () => {
    const res = await api.request('GET', '/test/errors/crash', {
      headers: { 'x-request-id': 'crash-test-1' },
    });
    expectProblem(res, 500, 'internal');
    expect(res.body.requestId).toBe('crash-test-1');
    const text = JSON.stringify(res.body);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('10.0.0.7');
    expect(text).not.toMatch(/stack|\.ts:\d+/);

    const logged = api.logs.lines.find((l) => l.level === 'error' && l.msg === 'request failed');
    expect(logged).toMatchObject({
      requestId: 'crash-test-1',
      method: 'GET',
      url: '/test/errors/crash',
      err: { type: 'Error', message: LEAKY_MESSAGE, stack: expect.stringContaining('crash') },
    });
  });

  it('answers URLs refused before routing as problems, with the usual headers', async () => {
    const tooLong = await api.request('POST', `/test/errors/handles/${'x'.repeat(101)}`);
    expectProblem(tooLong, 414, 'http.uri_too_long');
    expect(tooLong.headers.get('x-content-type-options')).toBe('nosniff');

    const badEncoding = await api.request('POST', '/test/errors/%E0%A4%A/handles');
    expectProblem(badEncoding, 400, 'http.bad_request');
    expect(badEncoding.headers.get('x-content-type-options')).toBe('nosniff');

    // Where the URL routes with the undecodable segment replaced, the parameter is named.
    const badParameter = await api.request('POST', '/test/errors/handles/%E0%A4%A');
    expectProblem(badParameter, 400, 'validation.failed');
    expect(badParameter.body.errors).toEqual([
      { field: 'handle', messages: [expect.stringContaining('percent-encoded UTF-8')] },
    ]);
  });

  it('answers an unknown route with 404', async () => {
    expectProblem(await api.request('GET', '/test/errors/nowhere?x=1'), 404, 'http.not_found');
  });

  describe('when the database cannot serve the request now', () => {
    let strained: TestServer;

    beforeAll(async () => {
      strained = await startApi(
        {
          DATABASE_POOL_SIZE: '1',
          DATABASE_CONNECT_TIMEOUT_MS: '200',
          DATABASE_STATEMENT_TIMEOUT_MS: '100',
        },
        [ErrorsTestModule],
      );
    });
    afterAll(() => strained.close());

    const expectUnavailable = (res: HttpResult) => {
      expectProblem(res, 503, 'service.unavailable');
      expect(res.headers.get('retry-after')).toBe('1');
    };

    it('answers a statement timeout with 503 and Retry-After, not 500', async () => {
      expectUnavailable(await strained.request('GET', '/test/errors/slow'));
      expect(strained.logs.lines).toContainEqual(
        expect.objectContaining({
          level: 'error',
          msg: 'request failed',
          url: '/test/errors/slow',
          err: expect.objectContaining({ message: expect.stringMatching(/statement timeout/) }),
        }),
      );
    });

    it('answers with 503 while every pooled connection is busy, and serves the retry', async () => {
      const held = strained.app.get(Database).dataSource.createQueryRunner();
      await held.connect();
      try {
        expectUnavailable(await strained.request('POST', '/test/errors/handles/pool-starved'));
      } finally {
        await held.release();
      }
      expect((await strained.request('POST', '/test/errors/handles/pool-starved')).status).toBe(
        201,
      );
    });
  });

  it('answers a body nested 100,000 levels deep with 400, not a stack overflow', async () => {
    // Another app in this process takes over Nest's static logger, so this runs last.
    const roomy = await startApi(); // the default body limit takes this 600 kB body
    try {
      const body = '{"email":' + '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_001);
      const res = await roomy.request('POST', '/v1/auth/login', { body });
      expectProblem(res, 400, 'validation.failed');
    } finally {
      await roomy.close();
    }
  });
  it('answers with 503 and Retry-After while Redis is out of reach', async () => {
    const noRedis = await startApi({ REDIS_URL: 'redis://127.0.0.1:1' }, [ErrorsTestModule]);
    try {
      const res = await noRedis.request('GET', '/test/errors/cached');
      expectProblem(res, 503, 'service.unavailable');
      expect(res.headers.get('retry-after')).toBe('1');
    } finally {
      await noRedis.close();
    }
  });
});
