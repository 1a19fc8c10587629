import { createWorkerApp } from '../../apps/worker/src/worker.app';
import { testConfig } from './apps';

// Logs go to stdout as JSON lines; the parent waits for READY before it goes on.
void (async () => {
  const app = await createWorkerApp(testConfig(), { logDestination: process.stdout });
  await app.listen({ port: 0, host: '127.0.0.1' });
  process.stdout.write('WORKER READY\n');
})();
