import type { Env, ModuleImport } from '@bourse/platform';
import { createWorkerApp } from '../../apps/worker/src/worker.app';
import { LogCapture, testConfig, TestServer } from './apps';

/** The worker on a random loopback port (its relay, processors and schedulers running). */
export async function startWorker(
  overrides: Env = {},
  imports: ModuleImport[] = [],
): Promise<TestServer> {
  const config = testConfig(overrides);
  const logs = new LogCapture();
  const app = await createWorkerApp(config, { logDestination: logs, imports });
  await app.listen({ port: 0, host: '127.0.0.1' });

  return new TestServer(app, await app.getUrl(), config, logs);
}
