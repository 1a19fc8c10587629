import { ClusterIoAdapter, createHttpApp, type ModuleImport } from '@bourse/platform';
import { uploadFormOrigin } from '@bourse/storage';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import type { ApiConfig } from './api.config';
import { ApiModule } from './api.module';
import { serveWebApp, WEB_APP_DIR } from './web/web-app';

/**
 * The api as production runs it, not yet listening; tests pass config, logs and modules. It also
 * serves the built web app under /app/ (apps/web).
 */
export async function createApiApp(
  config: ApiConfig,
  options: { logDestination?: DestinationStream; imports?: ModuleImport[] } = {},
): Promise<NestFastifyApplication> {
  const app = await createHttpApp('api', ApiModule.forConfig(config, options.imports), config, {
    logDestination: options.logDestination,
    docs: true,
    // The web app uploads files (KYC documents) straight to the bucket.
    webConnectSrc: [uploadFormOrigin(config.storage)],
  });
  // Gateways are served by the SocketServer, whose Redis adapter reaches every api node.
  app.useWebSocketAdapter(new ClusterIoAdapter(app));
  if (!(await serveWebApp(app))) {
    new Logger('WebApp').log(`no web app build in ${WEB_APP_DIR} (npm run build); /app/ is off`);
  }

  return app;
}
