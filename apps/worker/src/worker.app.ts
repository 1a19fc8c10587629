import { createHttpApp, type ModuleImport } from '@bourse/platform';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import type { WorkerConfig } from './worker.config';
import { WorkerModule } from './worker.module';

/**
 * The worker as production runs it, not yet listening: its HTTP server serves only /health/*
 * (and its metrics server /metrics, on WORKER_METRICS_PORT). Tests pass config, logs and their own queues and processors.
 */
export function createWorkerApp(
  config: WorkerConfig,
  options: { logDestination?: DestinationStream; imports?: ModuleImport[] } = {},
): Promise<NestFastifyApplication> {
  return createHttpApp('worker', WorkerModule.forConfig(config, options.imports), config, {
    logDestination: options.logDestination,
    docs: false,
  });
}
