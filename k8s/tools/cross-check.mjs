/* global console, process, URL */
// Cross-checks the deployment files against what the apps really read and serve:
//  - the config variables (the platform's CONFIG_VARS and the libs' config sections, parsed with
//    the TypeScript compiler) against values.schema.json's `config`, the chart's
//    ConfigMap/env/secretKeyRef wiring and the compose file's environment;
//  - ports, probes, entrypoints, graceful-shutdown budget and security context of the chart;
//  - Prometheus scrape targets (compose) and ServiceMonitors (chart);
//  - every PrometheusRule alert has a runbook, and every metric an alert uses is defined in libs/
//    (or is listed below as coming from kube-state-metrics or a lib that has not landed yet);
//  - every Grafana dashboard query names only metrics the code exports: the metric declarations
//    in libs/ and apps/ plus prom-client's default metrics, read from a registry booted here;
//  - Dockerfile best practices (pinned Node 24 base, tini, non-root numeric USER, HEALTHCHECK).
//
// Usage: node k8s/tools/cross-check.mjs <name>=<rendered.yaml> ...
//        node k8s/tools/cross-check.mjs --vars   (prints the variables it found, as JSON)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { parse as parseYaml, parseAllDocuments } from 'yaml';

const root = resolve(import.meta.dirname, '../..');
const read = (path) => readFileSync(join(root, path), 'utf8');

const errors = [];
const notes = [];
let passed = 0;
const check = (ok, message) => {
  if (ok) {
    passed += 1;
  } else {
    errors.push(message);
  }

  return ok;
};

// Metrics an alert may use without a definition in libs/: Prometheus' own `up`, kube-state-metrics, and the domain
// metrics whose libs are still to come (the alert is ready when they land; none now).
const EXTERNAL_METRICS = new Set([
  'up',
  'kube_deployment_spec_replicas',
  'kube_deployment_status_replicas_available',
]);
const PENDING_METRICS = {};
const REQUIRED_ALERTS = [
  'BourseReadyReplicasMissing',
  'BourseHigh5xxRate',
  'BourseHighP99Latency',
  'BourseQueueDepthGrowing',
  'BourseTopupSlaBreach',
  'BourseLedgerInvariantViolation',
  'BourseLedgerInvariantCheckStale',
  'BourseWorkerScrapeAbsent',
  'BourseOutboxBacklog',
  'BoursePoolWaiters',
  'BourseMarketLeaderNotOne',
];
const ENTRYPOINTS = {
  api: 'dist/apps/api/apps/api/src/main.js',
  worker: 'dist/apps/worker/apps/worker/src/main.js',
  cli: 'dist/apps/cli/apps/cli/src/main.js',
};
const PORT_VAR = { api: 'API_PORT', worker: 'WORKER_PORT' };
const METRICS_PORT_VAR = { api: 'API_METRICS_PORT', worker: 'WORKER_METRICS_PORT' };

// ---- the variables, from the source (the build may be stale or absent) ----------------------
// The platform's CONFIG_VARS (libs/platform/src/config/config.schema.ts) and every lib's or app's
// config section (`configSection({ vars: { ... } })` in a `*.config.ts` under libs/ or apps/):
// each UPPER_CASE property built by one of the VarSpec builders, parsed with the TypeScript compiler.
const BUILDERS = new Set(['str', 'int', 'oneOf', 'url', 'list', 'trustProxy', 'oidcProviders']);
const sourceFiles = (dir, keep) =>
  readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      return entry.name === 'node_modules' ? [] : sourceFiles(path, keep);
    }

    return keep(path) ? [path] : [];
  });
const configFiles = () => [
  'libs/platform/src/config/config.schema.ts',
  ...['libs', 'apps'].flatMap((dir) => sourceFiles(dir, (path) => path.endsWith('.config.ts'))),
];

function loadConfigVars() {
  // A file's `const NAME = <literal>`, so that `default: DEV_JWT_SECRET` reads as its value.
  let constants = new Map();
  const literal = (node) => {
    if (!node) {
      return undefined;
    }
    if (ts.isIdentifier(node)) {
      return literal(constants.get(node.text));
    }
    if (ts.isStringLiteralLike(node)) {
      return node.text;
    }
    if (ts.isNumericLiteral(node)) {
      return Number(node.text);
    }
    if (ts.isPrefixUnaryExpression(node) && ts.isNumericLiteral(node.operand)) {
      return -Number(node.operand.text);
    }
    if (node.kind === ts.SyntaxKind.TrueKeyword) {
      return true;
    }
    if (node.kind === ts.SyntaxKind.FalseKeyword) {
      return false;
    }
    if (ts.isAsExpression(node)) {
      return literal(node.expression);
    }
    if (ts.isArrayLiteralExpression(node)) {
      return node.elements.map(literal);
    }

    return undefined;
  };
  const vars = {};
  for (const file of configFiles()) {
    const source = ts.createSourceFile(file, read(file), ts.ScriptTarget.ES2022, true);
    constants = new Map(
      source.statements
        .filter(ts.isVariableStatement)
        .flatMap((statement) => statement.declarationList.declarations)
        .filter((d) => ts.isIdentifier(d.name) && d.initializer)
        .map((d) => [d.name.text, d.initializer]),
    );
    const visit = (node) => {
      if (
        ts.isPropertyAssignment(node) &&
        /^[A-Z][A-Z0-9_]*$/.test(node.name.getText(source)) &&
        ts.isCallExpression(node.initializer) &&
        BUILDERS.has(node.initializer.expression.getText(source))
      ) {
        const name = node.name.getText(source);
        const call = node.initializer;
        const spec = { kind: call.expression.getText(source), file };
        for (const arg of call.arguments) {
          if (ts.isObjectLiteralExpression(arg)) {
            for (const p of arg.properties) {
              if (ts.isPropertyAssignment(p)) {
                spec[p.name.getText(source)] = literal(p.initializer);
              }
            }
          } else if (ts.isArrayLiteralExpression(arg) || ts.isAsExpression(arg)) {
            spec.options = literal(arg);
          }
        }
        check(!vars[name], `${name} is declared twice: ${vars[name]?.file} and ${file}`);
        vars[name] = spec;
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }

  return vars;
}

// Parses a value as the app's validators would, for the kinds whose rules are simple.
function valueProblem(spec, raw) {
  if (spec.kind === 'int') {
    if (!/^-?\d+$/.test(raw)) {
      return `must be an integer, got "${raw}"`;
    }
    const n = Number(raw);
    if (spec.min !== undefined && n < spec.min) {
      return `must be >= ${spec.min}`;
    }
    if (spec.max !== undefined && n > spec.max) {
      return `must be <= ${spec.max}`;
    }
  }
  if (spec.kind === 'oneOf' && Array.isArray(spec.options) && !spec.options.includes(raw)) {
    return `must be one of ${spec.options.join(', ')}, got "${raw}"`;
  }
  if (spec.kind === 'str' && raw.length < (spec.minLength ?? 1)) {
    return `must be at least ${spec.minLength ?? 1} characters`;
  }

  return undefined;
}

const vars = loadConfigVars();
const varNames = Object.keys(vars);
if (process.argv[2] === '--vars') {
  // What this check takes for the apps' variables, for the test that holds it to the config.
  console.log(JSON.stringify(vars));
  process.exit(errors.length > 0 ? 1 : 0);
}
check(varNames.length > 10, `could not parse the config variables (found ${varNames.length})`);
// The cli's own variables (db:seed's demo accounts) are never deployed: the chart runs no seed.
const isSeed = (name) => vars[name]?.file.startsWith('apps/cli/') ?? false;
const secretVars = varNames.filter((n) => vars[n].secret && !isSeed(n));
const plainVars = varNames.filter((n) => !vars[n].secret && !isSeed(n));

// ---- values.schema.json: the chart's `config` accepts the deployable plain variables ----------
// each as its spec parses it (an enum for oneOf, digits for int), and lists every one the
// templates do not derive from other values (API_PORT, HOST, SHUTDOWN_* in _helpers.tpl).
const templates = readdirSync(join(root, 'k8s/bourse/templates'))
  .map((file) => read(join('k8s/bourse/templates', file)))
  .join('\n');
const isDerived = (name) => templates.includes(`"${name}"`);
const valuesSchema = JSON.parse(read('k8s/bourse/values.schema.json'));
const schemaConfig = valuesSchema.properties?.config?.properties ?? {};
for (const [name, property] of Object.entries(schemaConfig)) {
  const spec = vars[name];
  if (
    !check(
      spec && !spec.secret && !isSeed(name),
      `values.schema.json: config.${name} is not a deployable plain variable of the config`,
    )
  ) {
    continue;
  }
  if (spec.kind === 'oneOf') {
    check(
      JSON.stringify(property.enum) === JSON.stringify(spec.options),
      `values.schema.json: config.${name} enum must be ${JSON.stringify(spec.options)}`,
    );
  }
  if (spec.kind === 'int') {
    check(
      property.type === 'string' && /^\^\[0-9\]\+\$$/.test(property.pattern ?? ''),
      `values.schema.json: config.${name} must be a string of digits (an int)`,
    );
  }
}
for (const name of plainVars.filter((n) => !isDerived(n))) {
  check(
    schemaConfig[name],
    `values.schema.json: config.${name} missing (declared in ${vars[name].file})`,
  );
}

// ---- metric names the code exports ------------------------------------------------------------
// prom-client declarations (`new Gauge({ name: '...' ...`) in libs/ and apps/, and the default
// process/Node.js metrics collectDefaultMetrics() registers, taken from a registry booted here.
const definedMetrics = new Set();
const walk = (dir) => {
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      walk(path);
    } else if (path.endsWith('.ts') && !path.endsWith('.spec.ts')) {
      for (const m of read(path).matchAll(
        /new (?:Counter|Gauge|Histogram|Summary)(?:<[^>]*>)?\(\{\s*name:\s*'([a-zA-Z_:][a-zA-Z0-9_:]*)'/g,
      )) {
        definedMetrics.add(m[1]);
      }
    }
  }
};
walk('libs');
walk('apps');
{
  const { Registry, collectDefaultMetrics } = await import('prom-client');
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registry.getMetricsAsArray().forEach((metric) => definedMetrics.add(metric.name));
}
/** Metric names a PromQL expression selects (`name{...}`), without histogram suffixes. */
const metricsIn = (expr) =>
  new Set(
    [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{/g)]
      .map((m) => m[1].replace(/_(bucket|count|sum)$/, ''))
      .filter((m) => !['by', 'without', 'on', 'ignoring'].includes(m)),
  );

// ---- chart renders ---------------------------------------------------------------------------
const renders = process.argv.slice(2).map((arg) => arg.split('='));
const runbooksChecked = new Set();
for (const [renderName, file] of renders) {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS())
    .filter(Boolean);
  const where = (m) => `[${renderName}] ${m}`;
  const byKind = (kind) => docs.filter((d) => d.kind === kind);
  const configMap = byKind('ConfigMap').find((d) => d.metadata.name.endsWith('-config'));
  if (!check(configMap, where('no <release>-config ConfigMap'))) {
    continue;
  }
  const configData = configMap.data ?? {};
  for (const key of Object.keys(configData)) {
    check(vars[key], where(`ConfigMap sets ${key}, which no app reads (not in the config)`));
    check(!vars[key]?.secret, where(`secret ${key} must not be in the ConfigMap`));
  }

  let apiShutdown;
  const workloads = [
    ...byKind('Deployment').map((d) => [d, d.spec.template.spec]),
    ...byKind('Job').map((d) => [d, d.spec.template.spec]),
  ];
  for (const [workload, pod] of workloads) {
    const component = workload.metadata.labels?.['app.kubernetes.io/component'];
    const id = where(`${workload.kind}/${workload.metadata.name}`);
    for (const container of pod.containers) {
      // Effective environment: envFrom ConfigMaps, then env entries.
      const env = {};
      for (const from of container.envFrom ?? []) {
        if (from.configMapRef) {
          check(
            from.configMapRef.name === configMap.metadata.name,
            `${id}: envFrom references unknown ConfigMap ${from.configMapRef.name}`,
          );
          for (const [k, v] of Object.entries(configData)) {
            env[k] = { value: String(v) };
          }
        }
        check(
          !from.secretRef,
          `${id}: envFrom secretRef hides which secrets are read; use secretKeyRef`,
        );
      }
      for (const e of container.env ?? []) {
        env[e.name] = e.valueFrom ?? { value: e.value };
      }
      for (const [name, source] of Object.entries(env)) {
        check(vars[name], `${id}: sets ${name}, which no app reads (not in the config)`);
        check(!isSeed(name), `${id}: ${name} is for db:seed only and must not be deployed`);
        if (vars[name]?.secret) {
          check(source.secretKeyRef, `${id}: secret ${name} must come from a secretKeyRef`);
        }
        if (source.value !== undefined && vars[name]) {
          const problem = valueProblem(vars[name], source.value);
          check(!problem, `${id}: ${name}=${source.value} ${problem}`);
        }
      }
      for (const name of secretVars) {
        check(env[name]?.secretKeyRef, `${id}: secret ${name} is not wired (secretKeyRef)`);
      }
      for (const name of plainVars) {
        check(
          env[name],
          `${id}: ${name} is read by the apps but not set by the chart (add it to values.yaml config, values.schema.json and docker-compose.yml, or derive it in _helpers.tpl)`,
        );
      }
      check(env.NODE_ENV?.value === 'production', `${id}: NODE_ENV must be production`);

      const sc = container.securityContext ?? {};
      check(sc.readOnlyRootFilesystem === true, `${id}: readOnlyRootFilesystem must be true`);
      check(sc.allowPrivilegeEscalation === false, `${id}: allowPrivilegeEscalation must be false`);
      check(sc.capabilities?.drop?.includes('ALL'), `${id}: capabilities must drop ALL`);
      check(pod.securityContext?.runAsNonRoot === true, `${id}: runAsNonRoot must be true`);
      const tmp = (container.volumeMounts ?? []).find((m) => m.mountPath === '/tmp');
      check(
        tmp && pod.volumes?.find((v) => v.name === tmp.name)?.emptyDir,
        `${id}: /tmp must be an emptyDir (read-only root filesystem)`,
      );
      check(
        container.resources?.requests?.cpu && container.resources?.requests?.memory,
        `${id}: resource requests missing`,
      );

      if (workload.kind === 'Job') {
        const statementMs = Number(
          env.MIGRATION_STATEMENT_TIMEOUT_MS?.value ?? vars.MIGRATION_STATEMENT_TIMEOUT_MS.default,
        );
        check(
          statementMs > 0 && statementMs < workload.spec.activeDeadlineSeconds * 1000,
          `${id}: MIGRATION_STATEMENT_TIMEOUT_MS=${statementMs} must be set and end before activeDeadlineSeconds`,
        );
        check(
          container.args?.join(' ') === `node ${ENTRYPOINTS.cli} db:migrate`,
          `${id}: must run node ${ENTRYPOINTS.cli} db:migrate`,
        );
        check(
          /pre-install/.test(workload.metadata.annotations?.['helm.sh/hook']) &&
            /pre-upgrade/.test(workload.metadata.annotations?.['helm.sh/hook']),
          `${id}: must be a pre-install,pre-upgrade hook`,
        );
        continue;
      }

      // api / worker Deployments: env from the Secret is read at start, so a rotation must roll them.
      const secretNames = new Set(
        container.env?.map((e) => e.valueFrom?.secretKeyRef?.name).filter(Boolean) ?? [],
      );
      check(
        workload.spec.template.metadata?.annotations?.['checksum/secret-refs'] &&
          [...secretNames].every(
            (name) =>
              workload.metadata.annotations?.['secret.reloader.stakater.com/reload'] === name,
          ),
        `${id}: pods must roll on Secret rotation (checksum/secret-refs, Reloader annotation naming its Secret)`,
      );
      check(
        container.args?.join(' ') === `node ${ENTRYPOINTS[component]}`,
        `${id}: args must be "node ${ENTRYPOINTS[component]}" (and no command, so tini stays PID 1)`,
      );
      check(!container.command, `${id}: command overrides the image's tini ENTRYPOINT`);
      const http = container.ports?.find((p) => p.name === 'http');
      check(
        http && String(http.containerPort) === env[PORT_VAR[component]]?.value,
        `${id}: containerPort ${http?.containerPort} != ${PORT_VAR[component]}=${env[PORT_VAR[component]]?.value}`,
      );
      check(
        env.HOST?.value === '0.0.0.0',
        `${id}: HOST must be 0.0.0.0 to be reachable in the pod`,
      );
      const probe = (p, path) =>
        p?.httpGet?.path === path &&
        (p.httpGet.port === 'http' || p.httpGet.port === http?.containerPort);
      check(
        probe(container.livenessProbe, '/health/live'),
        `${id}: livenessProbe must GET /health/live on http`,
      );
      check(
        probe(container.readinessProbe, '/health/ready'),
        `${id}: readinessProbe must GET /health/ready on http`,
      );
      check(
        !container.startupProbe || probe(container.startupProbe, '/health/live'),
        `${id}: startupProbe must GET /health/live`,
      );
      const preStop = container.lifecycle?.preStop;
      const preStopSeconds = preStop?.sleep?.seconds ?? Number(preStop?.exec?.command?.at(-1));
      // Only the api sits behind a load balancer that must deregister it before SIGTERM.
      check(
        component === 'api' ? Number.isFinite(preStopSeconds) : !preStop,
        component === 'api'
          ? `${id}: preStop pause missing`
          : `${id}: the worker needs no preStop sleep (it only delays draining its jobs)`,
      );
      if (component === 'api') {
        apiShutdown = {
          preStop: preStopSeconds,
          drain: Number(env.SHUTDOWN_DRAIN_DELAY_MS?.value ?? 0) / 1000,
          keepAliveMs: Number(env.HTTP_KEEP_ALIVE_TIMEOUT_MS?.value),
        };
      }
      const shutdownSeconds =
        (preStopSeconds || 0) +
        (Number(env.SHUTDOWN_DRAIN_DELAY_MS?.value ?? vars.SHUTDOWN_DRAIN_DELAY_MS?.default) +
          Number(env.SHUTDOWN_TIMEOUT_MS?.value ?? vars.SHUTDOWN_TIMEOUT_MS?.default)) /
          1000;
      check(
        pod.terminationGracePeriodSeconds > shutdownSeconds,
        `${id}: terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} must exceed preStop + drain + timeout = ${shutdownSeconds}s`,
      );
      check(
        pod.topologySpreadConstraints?.some((t) => t.topologyKey === 'topology.kubernetes.io/zone'),
        `${id}: no zone topology spread`,
      );

      const metricsPort = container.ports?.find((p) => p.name === 'metrics');
      check(
        metricsPort &&
          String(metricsPort.containerPort) === env[METRICS_PORT_VAR[component]]?.value &&
          metricsPort.containerPort !== http?.containerPort,
        `${id}: containerPort "metrics" ${metricsPort?.containerPort} must be ${METRICS_PORT_VAR[component]}=${env[METRICS_PORT_VAR[component]]?.value} and differ from the http port`,
      );
      const targets = (s, port) =>
        s.spec.ports.some((p) => p.targetPort === port.name || p.targetPort === port.containerPort);
      const ofComponent = byKind('Service').filter(
        (s) => s.spec.selector?.['app.kubernetes.io/component'] === component,
      );
      const service = ofComponent.find((s) => http && targets(s, http));
      check(service, `${id}: no Service targets its http port`);
      // /metrics never shares a Service with the served port (an ingress or LB could expose it).
      check(
        ofComponent.every(
          (s) => !(http && targets(s, http) && metricsPort && targets(s, metricsPort)),
        ),
        `${id}: a Service exposes both the http and the metrics port`,
      );
      const metricsService = ofComponent.find((s) => metricsPort && targets(s, metricsPort));
      for (const sm of byKind('ServiceMonitor').filter(
        (s) => s.spec.selector.matchLabels?.['app.kubernetes.io/component'] === component,
      )) {
        const selected = ofComponent.filter((s) =>
          Object.entries(sm.spec.selector.matchLabels).every(
            ([k, v]) => s.metadata.labels?.[k] === v,
          ),
        );
        check(
          selected.length === 1 &&
            selected[0] === metricsService &&
            sm.spec.endpoints.every(
              (e) =>
                e.path === '/metrics' &&
                metricsService.spec.ports.some(
                  (p) => p.name === e.port && targets({ spec: { ports: [p] } }, metricsPort),
                ),
            ),
          where(
            `ServiceMonitor/${sm.metadata.name}: must select only the ${component} metrics Service and scrape /metrics on its metrics port`,
          ),
        );
      }
    }
  }
  check(
    ['api', 'worker'].every((c) =>
      workloads.some(
        ([w]) =>
          w.kind === 'Deployment' && w.metadata.labels?.['app.kubernetes.io/component'] === c,
      ),
    ),
    where('api and worker Deployments must both render'),
  );

  for (const ingress of byKind('Ingress')) {
    const a = ingress.metadata.annotations ?? {};
    const idle = Number(
      a['nginx.ingress.kubernetes.io/proxy-read-timeout'] ??
        /idle_timeout\.timeout_seconds=(\d+)/.exec(
          a['alb.ingress.kubernetes.io/load-balancer-attributes'] ?? '',
        )?.[1],
    );
    // A keep-alive shorter than the LB's idle timeout lets the LB reuse a closed connection: 502.
    check(
      apiShutdown && apiShutdown.keepAliveMs > idle * 1000,
      where(
        `Ingress/${ingress.metadata.name}: api HTTP_KEEP_ALIVE_TIMEOUT_MS=${apiShutdown?.keepAliveMs} must exceed the load balancer idle timeout ${idle}s`,
      ),
    );
    const tga = a['alb.ingress.kubernetes.io/target-group-attributes'];
    if (tga !== undefined && apiShutdown) {
      const delay = Number(/deregistration_delay\.timeout_seconds=(\d+)/.exec(tga)?.[1]);
      check(
        delay >= apiShutdown.preStop + apiShutdown.drain,
        where(
          `Ingress/${ingress.metadata.name}: ALB deregistration delay ${delay}s must cover preStop + drain = ${apiShutdown.preStop + apiShutdown.drain}s`,
        ),
      );
    }
  }
  const cors = configMap?.data?.CORS_ORIGINS ?? '';
  check(
    configMap?.data?.NODE_ENV !== 'production' ||
      !cors.split(',').some((origin) => origin.trim() === '*'),
    where(`CORS_ORIGINS='${cors}' allows any origin in production`),
  );

  // Every External metric an HPA scales on must come from an adapter rule the chart ships, which
  // reads the Redis-wide queue_jobs once (max across the pods that all report it).
  const adapterRules = byKind('ConfigMap')
    .filter((cm) => cm.metadata.name.endsWith('-prometheus-adapter-rules'))
    .flatMap((cm) => parseYaml(cm.data['external-rules.yaml']));
  for (const hpa of byKind('HorizontalPodAutoscaler')) {
    for (const metric of hpa.spec.metrics.filter((m) => m.type === 'External')) {
      const rule = adapterRules.find((r) => r.name?.as === metric.external.metric.name);
      check(
        rule && /max by \([^)]*\bqueue\b[^)]*\) \(queue_jobs\{/.test(rule.metricsQuery),
        where(
          `HPA/${hpa.metadata.name}: External metric ${metric.external.metric.name} has no shipped adapter rule reading queue_jobs once (max across pods)`,
        ),
      );
    }
  }

  for (const policy of byKind('NetworkPolicy')) {
    // The metrics port is never open to all: only the peers of networkPolicy.metricsFrom.
    const rules = policy.spec.ingress ?? [];
    check(
      rules.some((r) => r.ports?.some((p) => p.port === 'metrics') && r.from?.length > 0) &&
        rules.every((r) => !r.ports?.some((p) => p.port === 'metrics') || r.from?.length > 0),
      where(`NetworkPolicy/${policy.metadata.name}: the metrics port must admit only listed peers`),
    );
    check(
      rules.some((r) => r.ports?.some((p) => p.port === 'http')),
      where(`NetworkPolicy/${policy.metadata.name}: the http port (probes) must stay reachable`),
    );
  }

  const migrate = workloads.find(([w]) => w.kind === 'Job')?.[0];
  for (const es of byKind('ExternalSecret')) {
    const id = where(`ExternalSecret/${es.metadata.name}`);
    // Per-key `data` fails the whole sync when the remote lacks an optional key: extract it all.
    check(
      !es.spec.data?.length && es.spec.dataFrom?.some((d) => d.extract?.key),
      `${id}: must extract the remote secret whole (dataFrom.extract), not request each key`,
    );
    const weight = (o) => Number(o?.metadata.annotations?.['helm.sh/hook-weight'] ?? 0);
    check(
      /pre-install/.test(es.metadata.annotations?.['helm.sh/hook'] ?? '') &&
        (!migrate || weight(es) < weight(migrate)),
      `${id}: must be a pre-install hook weighted before the migration Job, which needs its Secret`,
    );
  }

  for (const ingress of byKind('Ingress')) {
    const a = ingress.metadata.annotations ?? {};
    const nginx = a['nginx.ingress.kubernetes.io/affinity'] === 'cookie';
    const tga = a['alb.ingress.kubernetes.io/target-group-attributes'] ?? '';
    const alb =
      a['alb.ingress.kubernetes.io/target-type'] === 'ip' &&
      tga.includes('stickiness.enabled=true') &&
      tga.includes('stickiness.type=lb_cookie');
    check(
      nginx || alb,
      where(`Ingress/${ingress.metadata.name}: no sticky sessions for Socket.IO`),
    );
    const timeout = nginx
      ? Number(a['nginx.ingress.kubernetes.io/proxy-read-timeout'])
      : Number(
          /idle_timeout\.timeout_seconds=(\d+)/.exec(
            a['alb.ingress.kubernetes.io/load-balancer-attributes'] ?? '',
          )?.[1],
        );
    check(
      timeout > 45,
      where(
        `Ingress/${ingress.metadata.name}: timeout ${timeout}s must exceed Socket.IO ping interval + timeout (45 s)`,
      ),
    );
  }

  for (const rule of byKind('PrometheusRule')) {
    const alerts = rule.spec.groups.flatMap((g) => g.rules).filter((r) => r.alert);
    for (const name of REQUIRED_ALERTS) {
      check(
        alerts.some((a) => a.alert === name),
        where(`PrometheusRule lacks alert ${name}`),
      );
    }
    for (const alert of alerts) {
      const runbook = alert.annotations?.runbook;
      if (
        check(
          runbook && existsSync(join(root, runbook)),
          where(`${alert.alert}: runbook ${runbook} missing`),
        )
      ) {
        if (!runbooksChecked.has(runbook)) {
          runbooksChecked.add(runbook);
          const text = read(runbook).toLowerCase();
          for (const section of ['what it means', 'how to check', 'how to mitigate']) {
            check(
              text.includes(`## ${section}`),
              `${runbook}: needs a "## ${section[0].toUpperCase()}${section.slice(1)}" section`,
            );
          }
        }
      }
      for (const metric of metricsIn(alert.expr)) {
        if (PENDING_METRICS[metric]) {
          notes.push(
            `${alert.alert} uses ${metric}, to be emitted by the ${PENDING_METRICS[metric]}`,
          );
          continue;
        }
        check(
          definedMetrics.has(metric) || EXTERNAL_METRICS.has(metric),
          where(`${alert.alert}: metric ${metric} is not defined in libs/ or apps/`),
        );
      }
    }
  }
}

// ---- Grafana dashboards ------------------------------------------------------------------------
// Checked in every render that has them (the CI values enable them).
const dashboardsSeen = new Set();
for (const [renderName, file] of renders) {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS())
    .filter(Boolean);
  for (const cm of docs.filter(
    (d) => d.kind === 'ConfigMap' && d.metadata?.name?.includes('-dashboard-'),
  )) {
    const where = `[${renderName}] ConfigMap/${cm.metadata.name}`;
    check(
      Object.keys(cm.metadata.labels ?? {}).length > 0 &&
        cm.metadata.labels.grafana_dashboard !== undefined,
      `${where}: no grafana_dashboard label for the Grafana sidecar`,
    );
    for (const [key, text] of Object.entries(cm.data ?? {})) {
      let dashboard;
      try {
        dashboard = JSON.parse(text);
      } catch (error) {
        check(false, `${where}: ${key} is not JSON (${error.message})`);
        continue;
      }
      dashboardsSeen.add(dashboard.uid);
      const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
      for (const panel of panels.filter((p) => p.type !== 'row')) {
        const targets = panel.targets ?? [];
        check(targets.length > 0, `${where}: panel "${panel.title}" has no query`);
        for (const target of targets) {
          const named = metricsIn(target.expr ?? '');
          // A query naming no metric with a selector would escape the check below.
          check(named.size > 0, `${where}: panel "${panel.title}" query names no metric{...}`);
          for (const metric of named) {
            check(
              definedMetrics.has(metric),
              `${where}: panel "${panel.title}" queries ${metric}, which the code does not export`,
            );
          }
        }
      }
    }
  }
}
// Only with renders: without them (the config-only run of the tests) there is nothing to look at.
check(
  renders.length === 0 || dashboardsSeen.size > 0,
  'no Grafana dashboard rendered in any values file',
);

// ---- GitHub workflows ------------------------------------------------------------------------
{
  const workflow = (name) => parseYaml(read(`.github/workflows/${name}`));
  const ci = workflow('ci.yml');
  const release = workflow('release.yml');
  const steps = (job) => job.steps ?? [];
  check(
    'workflow_call' in (ci.on ?? {}),
    'ci.yml: must be callable (workflow_call) by release.yml',
  );
  check(
    Object.values(ci.jobs).some((job) =>
      steps(job).some((s) => /docker build\b[^\n]*docker\/Dockerfile/.test(s.run ?? '')),
    ) && Object.values(ci.jobs).some((job) => steps(job).some((s) => /trivy/i.test(s.run ?? ''))),
    'ci.yml: must build the image from docker/Dockerfile and scan it',
  );
  const ciJobs = Object.entries(release.jobs)
    .filter(([, job]) => job.uses === './.github/workflows/ci.yml')
    .map(([name]) => name);
  for (const [name, job] of Object.entries(release.jobs)) {
    if (job.uses) {
      continue;
    }
    check(
      [job.needs ?? []].flat().some((need) => ciJobs.includes(need)),
      `release.yml ${name}: must need the CI run of the tagged commit (uses ./.github/workflows/ci.yml)`,
    );
    const idToken = (job.permissions ?? release.permissions ?? {})['id-token'] === 'write';
    for (const step of steps(job).filter((s) => s.uses && idToken)) {
      check(
        /@[0-9a-f]{40}$/.test(step.uses),
        `release.yml ${name}: ${step.uses} must be pinned by commit SHA (the job holds id-token: write)`,
      );
    }
  }
  check(
    release.permissions?.['id-token'] !== 'write',
    'release.yml: id-token: write belongs on the publishing job only, not the workflow',
  );
}

// ---- docker-compose ------------------------------------------------------------------------
const compose = parseYaml(read('docker/docker-compose.yml'), { merge: true });
const services = compose.services ?? {};
const pg = services.postgres?.environment ?? {};
check(services.postgres?.healthcheck?.test, 'compose: postgres needs a healthcheck');
check(
  Object.values(compose.services.postgres?.volumes ?? []).some((v) =>
    String(v).includes('/var/lib/postgresql/data'),
  ),
  'compose: postgres needs a volume',
);
check(
  (services.redis?.command ?? []).join(' ').includes('--maxmemory-policy noeviction'),
  'compose: redis must run with --maxmemory-policy noeviction (Bull)',
);
const appServices = { migrate: 'cli', seed: 'cli', api: 'api', worker: 'worker' };
for (const [svc, app] of Object.entries(appServices)) {
  const s = services[svc];
  if (!check(s, `compose: service ${svc} missing`)) {
    continue;
  }
  const env = Object.fromEntries(
    Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v)]),
  );
  check(
    (s.command ?? [])[1] === ENTRYPOINTS[app],
    `compose ${svc}: command must run ${ENTRYPOINTS[app]}`,
  );
  for (const [name, value] of Object.entries(env)) {
    if (check(vars[name], `compose ${svc}: sets ${name}, which no app reads (not in the config)`)) {
      const problem = valueProblem(vars[name], value);
      check(!problem, `compose ${svc}: ${name}=${value} ${problem}`);
    }
    check(
      svc === 'seed' || !isSeed(name),
      `compose ${svc}: ${name} belongs to the seed service only`,
    );
  }
  // A secret whose default is empty is optional (read only for some provider choices).
  for (const name of secretVars.filter((n) => vars[n].default !== '')) {
    check(env[name], `compose ${svc}: ${name} must be set`);
  }
  const db = env.DATABASE_URL ? new URL(env.DATABASE_URL) : undefined;
  check(
    db &&
      db.hostname === 'postgres' &&
      db.username === pg.POSTGRES_USER &&
      db.password === pg.POSTGRES_PASSWORD &&
      db.pathname === `/${pg.POSTGRES_DB}`,
    `compose ${svc}: DATABASE_URL does not match the postgres service`,
  );
  check(
    env.REDIS_URL && new URL(env.REDIS_URL).hostname === 'redis',
    `compose ${svc}: REDIS_URL must point at the redis service`,
  );
  if (app === 'cli') {
    check(
      svc === 'migrate'
        ? s.depends_on?.postgres?.condition === 'service_healthy'
        : s.depends_on?.migrate?.condition === 'service_completed_successfully',
      `compose ${svc}: wrong depends_on`,
    );
    continue;
  }
  const port = env[PORT_VAR[app]] ?? vars[PORT_VAR[app]].default;
  check(
    (s.ports ?? []).some((p) => String(p).endsWith(`:${port}`)),
    `compose ${svc}: does not publish ${PORT_VAR[app]}=${port}`,
  );
  check(
    s.depends_on?.migrate?.condition === 'service_completed_successfully',
    `compose ${svc}: must start after migrate completed successfully`,
  );
  const grace = Number(/^(\d+)s$/.exec(s.stop_grace_period ?? '')?.[1]);
  check(
    grace * 1000 >
      Number(env.SHUTDOWN_DRAIN_DELAY_MS ?? 0) +
        Number(env.SHUTDOWN_TIMEOUT_MS ?? vars.SHUTDOWN_TIMEOUT_MS.default),
    `compose ${svc}: stop_grace_period must exceed drain delay + shutdown timeout`,
  );
}
const prometheus = parseYaml(read('docker/prometheus/prometheus.yml'));
for (const app of ['api', 'worker']) {
  const env = services[app]?.environment ?? {};
  const port = String(env[METRICS_PORT_VAR[app]] ?? vars[METRICS_PORT_VAR[app]].default);
  check(
    prometheus.scrape_configs.some(
      (j) =>
        (j.metrics_path ?? '/metrics') === '/metrics' &&
        j.static_configs.some((c) => c.targets.includes(`${app}:${port}`)),
    ),
    `prometheus.yml: does not scrape ${app}:${port}/metrics`,
  );
}
check(
  (services.prometheus?.volumes ?? []).some((v) =>
    String(v).startsWith('./prometheus/prometheus.yml:'),
  ),
  'compose: prometheus must mount ./prometheus/prometheus.yml',
);

// ---- Dockerfile ----------------------------------------------------------------------------
const dockerfile = read('docker/Dockerfile');
const pkg = JSON.parse(read('package.json'));
const nodeImage = /ARG NODE_IMAGE=(\S+)/.exec(dockerfile)?.[1] ?? '';
const nodeTag = /^node:(\d+)\.(\d+)\.(\d+)-(bookworm|trixie)-slim$/.exec(nodeImage);
check(
  nodeTag,
  `Dockerfile: base image ${nodeImage} must be an exact node:<x.y.z>-<debian>-slim tag`,
);
const nodeMajor = /(\d+)/.exec(pkg.devDependencies?.node ?? '')?.[1];
check(
  nodeTag && nodeTag[1] === nodeMajor,
  `Dockerfile: Node ${nodeTag?.[1]} differs from package.json's node devDependency (${nodeMajor})`,
);
const froms = [...dockerfile.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/gim)];
check(
  froms.every((f) => f[1] === '${NODE_IMAGE}'),
  'Dockerfile: every stage must use the pinned NODE_IMAGE',
);
const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
check(
  /^USER\s+[1-9]\d*(:\d+)?\s*$/m.test(runtime),
  'Dockerfile: runtime stage must end as a numeric non-root USER',
);
check(
  /^ENV\s+NODE_ENV=production/m.test(runtime),
  'Dockerfile: runtime must set NODE_ENV=production',
);
check(
  /^ENTRYPOINT\s+\["\/usr\/bin\/tini",\s*"--"\]/m.test(runtime),
  'Dockerfile: ENTRYPOINT must be tini',
);
check(
  /^HEALTHCHECK[\s\S]*\/health\/live/m.test(runtime),
  'Dockerfile: HEALTHCHECK on /health/live missing',
);
check(
  runtime.includes(`CMD ["node", "${ENTRYPOINTS.api}"]`),
  'Dockerfile: default CMD must run the api',
);
check(
  /npm ci --omit=dev/.test(dockerfile) && /COPY --from=prod-deps \/app\/node_modules/.test(runtime),
  'Dockerfile: runtime must take production-only node_modules',
);
check(
  !/COPY --from=build \/app\/node_modules/.test(runtime),
  'Dockerfile: runtime must not copy the build stage node_modules (dev deps)',
);
const nest = JSON.parse(read('nest-cli.json'));
for (const app of Object.keys(ENTRYPOINTS)) {
  check(
    nest.projects?.[app]?.entryFile === 'main',
    `nest-cli.json: ${app} entry changed; update ENTRYPOINTS`,
  );
}
const dockerignore = read('.dockerignore').split('\n');
for (const entry of ['.git', '**/node_modules', 'dist', '.env']) {
  check(dockerignore.includes(entry), `.dockerignore must exclude ${entry}`);
}

// ---- report ---------------------------------------------------------------------------------
for (const note of [...new Set(notes)]) {
  console.log(`  note: ${note}`);
}
if (errors.length > 0) {
  console.error(errors.map((e) => `  ✗ ${e}`).join('\n'));
  console.error(`cross-check failed: ${errors.length} problems, ${passed} checks passed`);
  process.exit(1);
}
console.log(
  `cross-check ok: ${passed} checks (${varNames.length} config variables, ${secretVars.length} secrets by reference, renders: ${renders.map((r) => r[0]).join(', ')}, compose, Dockerfile, ${runbooksChecked.size} runbooks)`,
);
