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
import type { ModuleImport } from './api.module';
import { ApiModule } from './api.module';

/**
 * Builds the api exactly as production runs it, not yet listening. Tests pass their own config
 * (and a log destination) and get the same Fastify stack.
 */
export async function createApiApp(
  config: AppConfig,
  options: { logDestination?: DestinationStream; imports?: ModuleImport[] } = {},
): Promise<NestFastifyApplication> {
  const logger = createLogger(config, 'api', options.logDestination);
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule.forConfig(config, options.imports),
    createFastifyAdapter(config, logger),
    { logger: new PinoLoggerService(logger), abortOnError: false },
  );
  await configureHttpApp(app, config, { docs: true });

  return app;
}
