import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';
import type { AppConfig } from '../config/config';
import { traceLogFields, tracingEnabled } from '../telemetry/trace-context';
import { flushOnExit, LineBatcher } from './line-batcher';

/** Keys whose values never reach the logs, at any depth, compared case-insensitively. */
export const REDACTED_KEYS = [
  'password',
  'secret',
  'token',
  'accessToken',
  'refreshToken',
  'apiKey',
  'authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
];

const SECRET_KEYS = new Set(REDACTED_KEYS.map((key) => key.toLowerCase()));
const MAX_DEPTH = 6;

/**
 * `value` with every secret key's value replaced by "[redacted]"; only objects holding one are
 * copied. Used instead of pino's redact paths, which match fixed depths only (`*.password` misses
 * a top-level `password`) and, with wildcards at every depth, cost more than the rest of the line.
 * Errors are left to pino's serializer.
 */
export function redactSecrets<T>(value: T, depth = 0): T {
  if (
    typeof value !== 'object' ||
    value === null ||
    value instanceof Error ||
    ArrayBuffer.isView(value) ||
    depth > MAX_DEPTH
  ) {
    return value;
  }
  const source = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(source)) {
    const item = source[key];
    const clean = SECRET_KEYS.has(key.toLowerCase())
      ? '[redacted]'
      : redactSecrets(item, depth + 1);
    if (clean !== item) {
      copy ??= Array.isArray(value) ? (Object.assign([], value) as typeof source) : { ...source };
      copy[key] = clean;
    }
  }

  return (copy ?? value) as T;
}

let formattedAt = -1;
let formatted = '';

/**
 * pino's isoTime, formatted at most once per millisecond: `toISOString()` showed in the api's
 * profiles on its own, and under load many lines share a millisecond.
 */
export function isoTime(): string {
  const now = Date.now();
  if (now !== formattedAt) {
    formattedAt = now;
    formatted = `,"time":"${new Date(now).toISOString()}"`;
  }

  return formatted;
}

/**
 * Log bytes held in memory while stdout takes them slower than they come (a stalled log
 * collector, a full node disk): past this, lines are dropped and counted rather than buffered
 * until the process runs out of memory.
 */
const MAX_BUFFERED_LOG_BYTES = 16 * 1024 * 1024;

/**
 * Lines are written once this many characters wait, or every LOG_FLUSH_MS. Each write hands a
 * syscall to libuv's thread pool and wakes the loop when it is done; at moderate load, writes
 * do not overlap enough to batch on their own, and a thread wake-up per line is dear.
 */
const LOG_BATCH_CHARS = 16384;
const LOG_FLUSH_MS = 100;

type Destination = ReturnType<typeof pino.destination>;

let stdoutLines: LineBatcher | undefined;

/**
 * One stdout writer per process (two would interleave their partial writes of a long batch);
 * the first logger on it reports what it drops.
 */
function stdout(): { stream: LineBatcher; reporter?: (logger: Logger) => void } {
  if (stdoutLines) {
    return { stream: stdoutLines };
  }
  const sink = pino.destination({ dest: 1, sync: false, maxLength: MAX_BUFFERED_LOG_BYTES });
  const lines = new LineBatcher(sink, LOG_BATCH_CHARS, LOG_FLUSH_MS);
  flushOnExit(lines);
  stdoutLines = lines;

  return { stream: lines, reporter: (logger) => reportDrops(sink, logger) };
}

let droppedInProcess = 0;

/** Log lines this process has dropped so far (exported as `log_lines_dropped_total`). */
export const logLinesDropped = (): number => droppedInProcess;

function linesIn(data: string): number {
  let count = 0;
  for (let at = data.indexOf('\n'); at !== -1; at = data.indexOf('\n', at + 1)) {
    count += 1;
  }

  return count;
}

/** Counts the lines `destination` dropped (its buffer was full) and logs how many once it drains. */
export function reportDrops(destination: Destination, logger: Logger): void {
  let dropped = 0;
  destination.on('drop', (data: string) => {
    // A batch of lines (LineBatcher) is dropped as one write.
    const lines = linesIn(data);
    dropped += lines;
    droppedInProcess += lines;
  });
  destination.on('drain', () => {
    if (dropped > 0) {
      logger.warn({ dropped }, 'log lines dropped while the log destination was not reading');
      dropped = 0;
    }
  });
}

/**
 * Structured JSON logs on stdout (one line per event, ISO time, level as a word). Written
 * asynchronously in batches (LOG_BATCH_CHARS, at most LOG_FLUSH_MS late; lines logged while a
 * write is in flight go out in the next one), so a busy server makes one write per batch instead
 * of one syscall per request; at most MAX_BUFFERED_LOG_BYTES wait, the rest is dropped and
 * counted. pino flushes synchronously on process exit, so a crash or `process.exit` keeps the
 * last lines; only a SIGKILL loses the last LOG_FLUSH_MS. With tracing on, a line logged inside a
 * span carries its `traceId` and `spanId`.
 */
export function createLogger(
  config: AppConfig,
  service: string,
  destination?: pino.DestinationStream,
): Logger {
  const { stream, reporter } = destination ? { stream: destination } : stdout();
  const logger = pino(
    {
      level: config.log.level,
      base: { service },
      timestamp: isoTime,
      formatters: { level: (label) => ({ level: label }), log: redactSecrets },
      serializers: { err: pino.stdSerializers.err },
      // The active span's traceId and spanId, looked up only when tracing is on.
      ...(tracingEnabled() ? { mixin: traceLogFields } : {}),
    },
    stream,
  );
  reporter?.(logger);

  return logger;
}

/** Routes Nest's own logging (`new Logger(ctx)`) into the same pino stream. */
export class PinoLoggerService implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  // Nest passes the context last; an error call may pass a stack string before it.
  private write(level: pino.Level, message: unknown, rest: unknown[]): void {
    const context = typeof rest.at(-1) === 'string' ? (rest.at(-1) as string) : undefined;
    const extra = rest.length > 1 && typeof rest[0] === 'string' ? { stack: rest[0] } : {};
    if (message instanceof Error) {
      this.logger[level]({ context, err: message, ...extra }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      const { msg, ...fields } = message as Record<string, unknown>;
      this.logger[level](
        { context, ...fields, ...extra },
        typeof msg === 'string' ? msg : undefined,
      );
    } else {
      this.logger[level]({ context, ...extra }, String(message));
    }
  }
}
