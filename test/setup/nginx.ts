import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Debian's nginx (package nginx-light; `.ci/run` installs it). */
export const NGINX_BINARY = '/usr/sbin/nginx';

/** A free loopback port (the OS picks it; released for the caller to bind). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));

  return port;
}

export interface ProxyRoute {
  /** nginx upstream lines before the servers: `hash $cookie_affinity consistent;`, or none. */
  balancing: string;
  backends: URL[];
}

export interface Nginx {
  /** The proxy's port per route, in the order given. */
  ports: number[];
  /** Access log lines: `<port> <status> <upstream address> <request uri>`. */
  accessLog(): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * nginx as a child process (not a daemon) on a temp config: one server per route, proxying
 * HTTP and WebSocket upgrades to its upstream, as an ingress in front of api pods does.
 */
export async function startNginx(routes: ProxyRoute[]): Promise<Nginx> {
  const dir = await mkdtemp(join(tmpdir(), 'bourse-nginx-'));
  const ports = await Promise.all(routes.map(() => freePort()));
  const servers = routes
    .map(
      (route, i) => `
    upstream route${i} {
      ${route.balancing}
      ${route.backends.map((b) => `server ${b.host};`).join('\n      ')}
    }
    server {
      listen 127.0.0.1:${ports[i]};
      location / {
        proxy_pass http://route${i};
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        proxy_set_header Host $host;
        proxy_read_timeout 60s;
      }
    }`,
    )
    .join('\n');
  await writeFile(
    join(dir, 'nginx.conf'),
    `daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  log_format route '$server_port $status $upstream_addr $request_uri';
  access_log ${dir}/access.log route;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  ${servers}
}
`,
  );
  const child: ChildProcess = spawn(NGINX_BINARY, ['-p', dir, '-c', join(dir, 'nginx.conf')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let tries = 0; ; tries += 1) {
    const up = await fetch(`http://127.0.0.1:${ports[0]}/health/live`).then(
      () => true,
      () => false,
    );
    if (up) {
      break;
    }
    if (child.exitCode !== null || tries > 100) {
      throw new Error(`nginx did not start: ${stderr}`);
    }
    await sleep(50);
  }

  return {
    ports,
    accessLog: async () =>
      (await readFile(join(dir, 'access.log'), 'utf8')).split('\n').filter(Boolean),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
