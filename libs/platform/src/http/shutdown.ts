import type { INestApplication } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/config';
import { ShutdownState } from '../observability/shutdown.state';

/**
 * Readiness turns 503 at once; after the drain delay (load balancers deregister us) Nest closes:
 * the HTTP server stops accepting and waits for in-flight requests, then the shutdown hooks let
 * queues finish running jobs and close the pools. Exiting is left to the caller.
 */
export async function gracefulShutdown(
  app: INestApplication,
  config: AppConfig,
  logger: Logger,
  reason = 'shutdown',
): Promise<void> {
  logger.info({ reason, drainDelayMs: config.shutdown.drainDelayMs }, 'shutting down');
  app.get(ShutdownState).begin();
  await delay(config.shutdown.drainDelayMs);
  await app.close();
  logger.info('shutdown complete');
}

/**
 * SIGTERM or SIGINT runs gracefulShutdown, then `afterClose`, once and exits; a stuck one is cut
 * off after the timeout.
 */
export function closeOnSignals(
  app: INestApplication,
  config: AppConfig,
  logger: Logger,
  afterClose: () => Promise<unknown> = async () => undefined,
): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing) {
      return;
    }
    closing = true;
    setTimeout(() => {
      logger.error({ timeoutMs: config.shutdown.timeoutMs }, 'shutdown timed out, exiting');
      logger.flush();
      process.exit(1);
    }, config.shutdown.timeoutMs).unref();
    gracefulShutdown(app, config, logger, signal)
      .then(afterClose)
      .then(
        // Exit explicitly: a handle some library forgot to close must not keep the pod terminating.
        () => {
          logger.flush();
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          logger.flush();
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
