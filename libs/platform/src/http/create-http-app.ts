import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import type { AppConfig } from '../config/config';
import { createLogger, PinoLoggerService } from '../logging/logger';
import { configureHttpApp, createFastifyAdapter } from './http-app';

/** Anything a module's `imports` accepts; tests mount their own modules this way. */
export type ModuleImport = NonNullable<DynamicModule['imports']>[number];

export interface HttpAppOptions {
  /** Where JSON logs go (stdout by default); tests capture them. */
  logDestination?: DestinationStream;
  /** Serve Swagger UI at /docs and the document at /openapi.json. */
  docs: boolean;
  /** Origins besides its own the web app under /app may connect to (its CSP's connect-src). */
  webConnectSrc?: readonly string[];
}

/**
 * Builds an app exactly as production runs it, not yet listening: our logger, the Fastify
 * adapter and the shared HTTP stack. The api and the worker differ only in their module.
 */
export async function createHttpApp(
  service: string,
  module: DynamicModule,
  config: AppConfig,
  options: HttpAppOptions,
): Promise<NestFastifyApplication> {
  const logger = createLogger(config, service, options.logDestination);
  const app = await NestFactory.create<NestFastifyApplication>(
    module,
    createFastifyAdapter(config, logger, options.webConnectSrc),
    {
      logger: new PinoLoggerService(logger),
      abortOnError: false,
    },
  );
  await configureHttpApp(app, { docs: options.docs });

  return app;
}
