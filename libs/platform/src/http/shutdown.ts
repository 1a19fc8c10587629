import type { INestApplication } from '@nestjs/common';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/config';
import { ShutdownState } from '../observability/shutdown.state';

/**
 * SIGTERM: readiness turns 503 at once, then after the drain delay (load balancers deregister
 * us) Nest closes: the HTTP server stops accepting and waits for in-flight requests, queues let
 * running jobs finish, and pools close last. A stuck shutdown is cut off after the timeout.
 */
export function closeOnSignals(app: INestApplication, config: AppConfig, logger: Logger): void {
  let closing = false;
  const close = async (signal: NodeJS.Signals): Promise<void> => {
    if (closing) {
      return;
    }
    closing = true;
    logger.info({ signal }, 'shutting down');
    app.get(ShutdownState).begin();
    setTimeout(() => {
      logger.error({ timeoutMs: config.shutdown.timeoutMs }, 'shutdown timed out, exiting');
      process.exit(1);
    }, config.shutdown.timeoutMs).unref();
    await new Promise((resolve) => setTimeout(resolve, config.shutdown.drainDelayMs));
    try {
      await app.close();
      logger.info('shutdown complete');
      logger.flush();
      process.exitCode = 0;
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', (signal) => void close(signal));
  process.once('SIGINT', (signal) => void close(signal));
}
