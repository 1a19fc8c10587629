import type { Env, ModuleImport } from '@bourse/platform';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
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

/** A worker in a child process of its own, which a test can kill for real (SIGKILL). */
export interface WorkerProcess {
  child: ChildProcess;
  /** Ends it at once, as a crash or an OOM kill would: no shutdown hooks run. */
  kill(): Promise<void>;
}

/** Starts the production worker in a child `node` process on the test config plus `overrides`. */
export async function spawnWorker(overrides: Env = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [join(__dirname, 'worker-process.js')], {
    env: { ...process.env, NODE_ENV: 'test', WORKER_METRICS_PORT: '0', ...overrides },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  await new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => line === 'WORKER READY' && resolve());
    void exited.then(() => reject(new Error('the worker process exited before it was ready')));
  });

  return {
    child,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
