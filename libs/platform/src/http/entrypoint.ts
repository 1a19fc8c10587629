import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigError, loadConfig, type AppConfig } from '../config/config';
import type { AnyConfigSection, SectionsConfig } from '../config/config.section';
import { createLogger } from '../logging/logger';
import type { Telemetry } from '../telemetry/start';
import { closeOnSignals } from './shutdown';

/**
 * The shared `main()` of the api and the worker: validate the platform's config and that of the
 * libs' `sections` the app loads (one readable message and exit code 78 on failure), build the
 * app, listen, and close gracefully on SIGTERM, then send the last spans and error reports of
 * `telemetry` (started by main before the app was loaded).
 */
export async function runHttpProcess<const Sections extends readonly AnyConfigSection[]>(
  service: string,
  sections: Sections,
  build: (config: AppConfig & SectionsConfig<Sections>) => Promise<NestFastifyApplication>,
  port: (config: AppConfig) => number,
  telemetry?: Telemetry,
): Promise<void> {
  let config: AppConfig & SectionsConfig<Sections>;
  try {
    config = loadConfig(process.env, sections);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${service}: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger(config, service);
  // Node prints process warnings (a dependency's deprecation or Node-version notice) as plain text
  // on stderr; here they become JSON log lines like everything else the process writes.
  process.removeAllListeners('warning');
  process.on('warning', (warning) =>
    logger.warn({ warning: { name: warning.name, message: warning.message } }, 'process warning'),
  );
  try {
    const app = await build(config);
    closeOnSignals(app, config, logger, async () => telemetry?.shutdown());
    await app.listen({ port: port(config), host: config.http.host });
    logger.info({ port: port(config) }, `${service} listening`);
  } catch (error) {
    logger.fatal({ err: error }, `${service} failed to start`);
    logger.flush();
    process.exit(1);
  }
}
