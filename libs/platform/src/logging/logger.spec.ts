import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../config/config';
import { LineBatcher } from './line-batcher';
import { createLogger, isoTime, logLinesDropped, redactSecrets, reportDrops } from './logger';

describe('redactSecrets', () => {
  it('redacts secret keys at the top level and at depth, whatever their case', () => {
    expect(
      redactSecrets({
        password: 'p',
        user: { email: 'a@b.c', Password: 'p' },
        request: { headers: { Authorization: 'Bearer t', cookie: 'c', 'x-api-key': 'k' } },
        items: [{ refreshToken: 'r' }, { sku: 'A' }],
      }),
    ).toEqual({
      password: '[redacted]',
      user: { email: 'a@b.c', Password: '[redacted]' },
      request: {
        headers: { Authorization: '[redacted]', cookie: '[redacted]', 'x-api-key': '[redacted]' },
      },
      items: [{ refreshToken: '[redacted]' }, { sku: 'A' }],
    });
  });

  it('never changes what the caller logged', () => {
    const logged = { user: { password: 'p' }, other: { id: 1 } };
    const clean = redactSecrets(logged);
    expect(logged.user.password).toBe('p');
    expect(clean.other).toBe(logged.other);
  });

  it('returns a line without secrets as is, without copying', () => {
    const line = { method: 'GET', url: '/v1/x', status: 200, ms: 3 };
    expect(redactSecrets(line)).toBe(line);
  });

  it('leaves errors, buffers and dates to the serializers', () => {
    const err = Object.assign(new Error('boom'), { token: 'kept for the err serializer' });
    const buffer = Buffer.from('password');
    const at = new Date(0);
    expect(redactSecrets({ err, buffer, at })).toEqual({ err, buffer, at });
  });

  it('stops at a bounded depth, so a cycle cannot hang the logger', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    expect(() => redactSecrets(cyclic)).not.toThrow();
  });
});

describe('isoTime', () => {
  afterEach(() => jest.useRealTimers());

  it('formats pino time fields as ISO-8601, anew whenever the millisecond changes', () => {
    jest.useFakeTimers({ now: Date.parse('2026-11-29T10:00:00.001Z') });
    const first = isoTime();
    expect(first).toBe(',"time":"2026-11-29T10:00:00.001Z"');
    expect(isoTime()).toBe(first);
    jest.setSystemTime(Date.parse('2026-11-29T10:00:00.002Z'));
    expect(isoTime()).toBe(',"time":"2026-11-29T10:00:00.002Z"');
  });
});

describe('a log destination that stops being read', () => {
  it('drops lines past its buffer, then says how many once it drains', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bourse-log-'));
    const fifo = join(dir, 'stdout');
    execFileSync('mkfifo', [fifo]);
    // A reader that has not read yet: the writer fills the pipe, then its buffer.
    const reader = createReadStream(fifo);
    reader.pause();
    const destination = pino.destination({ dest: fifo, sync: false, maxLength: 64 * 1024 });
    // As on stdout: lines reach the destination in batches, and a dropped batch counts its lines.
    const lines = new LineBatcher(destination, 16 * 1024, 100);
    const logger = createLogger(loadConfig({ LOG_LEVEL: 'info' }), 'spec', lines);
    reportDrops(destination, logger);
    const droppedBefore = logLinesDropped();
    try {
      const line = 'x'.repeat(1000);
      for (let i = 0; i < 2000; i++) {
        logger.info({ i, line }, 'filler');
      }
      logger.flush();
      const received: string[] = [];
      reader.on('data', (chunk) => received.push(String(chunk)));
      reader.resume();
      const report = await new Promise<Record<string, unknown>>((resolve) => {
        const seek = (): void => {
          const found = received
            .join('')
            .split('\n')
            .find((text) => text.includes('log lines dropped'));
          if (found) {
            resolve(JSON.parse(found) as Record<string, unknown>);
          } else {
            setTimeout(seek, 20);
          }
        };
        seek();
      });
      const kept = received
        .join('')
        .split('\n')
        .filter((text) => text.includes('filler'));
      expect(report).toMatchObject({ level: 'warn', service: 'spec', dropped: 2000 - kept.length });
      expect(logLinesDropped() - droppedBefore).toBe(2000 - kept.length);
      expect(kept.length).toBeGreaterThan(0);
      expect(kept.length).toBeLessThan(2000);
    } finally {
      destination.destroy();
      reader.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
