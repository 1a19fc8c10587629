import {
  configureHttpApp,
  createFastifyAdapter,
  createLogger,
  PinoLoggerService,
  type AppConfig,
} from '@bourse/platform';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import { WorkerModule, type ModuleImport } from './worker.module';

/**
 * Builds the worker as production runs it, not yet listening: its HTTP server serves only
 * /health/* and /metrics. Tests pass their own config, log destination and processors.
 */
export async function createWorkerApp(
  config: AppConfig,
  options: { logDestination?: DestinationStream; imports?: ModuleImport[] } = {},
): Promise<NestFastifyApplication> {
  const logger = createLogger(config, 'worker', options.logDestination);
  const app = await NestFactory.create<NestFastifyApplication>(
    WorkerModule.forConfig(config, options.imports),
    createFastifyAdapter(config, logger),
    { logger: new PinoLoggerService(logger), abortOnError: false },
  );
  await configureHttpApp(app, config, { docs: false });

  return app;
}
