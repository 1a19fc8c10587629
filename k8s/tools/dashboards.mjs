/* global console, process */
// Generates k8s/bourse/templates/dashboards.yaml: Grafana dashboards as ConfigMaps for the
// Grafana sidecar (label grafana_dashboard by default), built from the panel lists below.
// Queries select series by namespace and service="<release>-api|worker" (what the
// ServiceMonitors keep). scripts/check-deploy.sh runs it with --check (the template is current)
// and k8s/tools/cross-check.mjs fails when a query names a metric the code does not export.
//
// Usage: node k8s/tools/dashboards.mjs [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const target = join(root, 'k8s/bourse/templates/dashboards.yaml');

const API = 'namespace="$namespace", service="$release-api"';
const WORKER = 'namespace="$namespace", service="$release-worker"';
const BOTH = 'namespace="$namespace", service=~"$release-api|$release-worker"';
const RATE = '[$__rate_interval]';

const q = (expr, legend = '') => ({ expr, legend });

/** Each dashboard: rows of panels; a panel is a title, a unit and its queries. */
const DASHBOARDS = {
  overview: {
    title: 'Bourse: overview',
    rows: [
      {
        title: 'API requests (RED per route)',
        panels: [
          {
            title: 'Requests per second by route',
            unit: 'reqps',
            queries: [
              q(
                `sum by (route) (rate(http_request_duration_seconds_count{${API}}${RATE}))`,
                '{{route}}',
              ),
            ],
          },
          {
            title: '5xx ratio by route',
            unit: 'percentunit',
            queries: [
              q(
                `sum by (route) (rate(http_request_duration_seconds_count{${API}, status_code=~"5.."}${RATE})) / sum by (route) (rate(http_request_duration_seconds_count{${API}}${RATE}))`,
                '{{route}}',
              ),
            ],
          },
          {
            title: '4xx per second by route and status',
            unit: 'reqps',
            queries: [
              q(
                `sum by (route, status_code) (rate(http_request_duration_seconds_count{${API}, status_code=~"4.."}${RATE}))`,
                '{{route}} {{status_code}}',
              ),
            ],
          },
          {
            title: 'Latency percentiles (all routes)',
            unit: 's',
            queries: ['0.5', '0.95', '0.99'].map((p) =>
              q(
                `histogram_quantile(${p}, sum by (le) (rate(http_request_duration_seconds_bucket{${API}}${RATE})))`,
                `p${Number(p) * 100}`,
              ),
            ),
          },
          {
            title: 'p99 latency by route',
            unit: 's',
            queries: [
              q(
                `histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket{${API}}${RATE})))`,
                '{{route}}',
              ),
            ],
          },
        ],
      },
      {
        title: 'Postgres pool and Redis',
        panels: [
          {
            title: 'Pool connections by pod',
            unit: 'short',
            queries: [q(`max by (pod, state) (db_pool_connections{${BOTH}})`, '{{pod}} {{state}}')],
          },
          {
            title: 'Queries waiting for a connection',
            unit: 'short',
            queries: [q(`max by (pod) (db_pool_waiting{${BOTH}})`, '{{pod}}')],
          },
          {
            title: 'Dependencies up (readiness checks at scrape)',
            unit: 'short',
            queries: [q(`min by (dependency) (dependency_up{${BOTH}})`, '{{dependency}}')],
          },
          {
            title: 'Dependency round trip',
            unit: 's',
            queries: [
              q(
                `max by (dependency) (dependency_check_seconds{${BOTH}})`,
                '{{dependency}} (slowest pod)',
              ),
            ],
          },
        ],
      },
      {
        title: 'Queues and outbox',
        panels: [
          {
            title: 'Jobs by queue and state',
            unit: 'short',
            // Read from Redis by every worker: max, not sum, across pods.
            queries: [
              q(
                `max by (queue, state) (queue_jobs{${WORKER}, state=~"waiting|active|delayed|failed"})`,
                '{{queue}} {{state}}',
              ),
            ],
          },
          {
            title: 'Oldest waiting job',
            unit: 's',
            queries: [q(`max by (queue) (queue_oldest_waiting_seconds{${WORKER}})`, '{{queue}}')],
          },
          {
            title: 'Outbox lag: rows not yet relayed, and the oldest one',
            unit: 'short',
            queries: [
              q(`max(outbox_pending_rows{${WORKER}})`, 'pending rows'),
              q(`max(outbox_oldest_pending_seconds{${WORKER}})`, 'oldest (s)'),
            ],
          },
          {
            title: 'Relayed and re-enqueued per second',
            unit: 'ops',
            queries: [
              q(
                `sum by (queue) (rate(outbox_relayed_total{${WORKER}}${RATE}))`,
                '{{queue}} relayed',
              ),
              q(
                `sum by (queue) (rate(outbox_reenqueued_total{${WORKER}}${RATE}))`,
                '{{queue}} re-enqueued (lost in Redis)',
              ),
            ],
          },
        ],
      },
      {
        title: 'Webhook inbox',
        panels: [
          {
            title: 'Inbox lag: oldest provider event not yet processed',
            unit: 's',
            // Read from Postgres by every worker: max, not sum, across pods.
            queries: [q(`max(inbox_oldest_unprocessed_seconds{${WORKER}})`, 'oldest (s)')],
          },
          {
            title: 'Webhooks per second by provider',
            unit: 'ops',
            queries: [
              q(
                `sum by (provider) (rate(inbox_events_received_total{${API}}${RATE}))`,
                '{{provider}} stored',
              ),
              q(
                `sum by (provider) (rate(inbox_events_duplicate_total{${API}}${RATE}))`,
                '{{provider}} duplicate',
              ),
              q(
                `sum by (provider) (rate(inbox_signature_failures_total{${API}}${RATE}))`,
                '{{provider}} bad signature',
              ),
            ],
          },
        ],
      },
      {
        title: 'Sockets and market data fan-out',
        panels: [
          {
            title: 'Socket.IO connections',
            unit: 'short',
            queries: [
              q(`sum by (namespace) (socket_connections{${API}})`, '{{namespace}}'),
              q(`max by (pod) (socket_connections{${API}})`, '{{pod}}'),
            ],
          },
          {
            title: 'Ticks published and dropped per second',
            unit: 'ops',
            queries: [
              q(`sum(rate(market_ticks_published_total{${WORKER}}${RATE}))`, 'published'),
              q(`sum(rate(market_ticks_dropped_total{${BOTH}}${RATE}))`, 'dropped'),
            ],
          },
          {
            title: 'Market-data leaders per provider (must be 1)',
            unit: 'short',
            queries: [q(`sum by (provider) (market_leader{${WORKER}})`, '{{provider}}')],
          },
        ],
      },
      {
        title: 'Ledger',
        panels: [
          {
            title: 'Invariant violations (newest run)',
            unit: 'short',
            queries: [
              q(
                `max by (check) (bourse_ledger_invariant_violations{${WORKER}} and on (pod) (bourse_ledger_invariant_last_run_timestamp_seconds{${WORKER}} == scalar(max(bourse_ledger_invariant_last_run_timestamp_seconds{${WORKER}}))))`,
                '{{check}}',
              ),
            ],
          },
          {
            title: 'Seconds since the last invariant check',
            unit: 's',
            queries: [
              q(
                `time() - max(bourse_ledger_invariant_last_run_timestamp_seconds{${WORKER}})`,
                'since last run',
              ),
            ],
          },
          {
            title: 'Transfers and refusals per second',
            unit: 'ops',
            queries: [
              q(`sum by (code) (rate(bourse_ledger_transfers_total{${API}}${RATE}))`, '{{code}}'),
              q(
                `sum by (reason) (rate(bourse_ledger_transfer_failures_total{${API}}${RATE}))`,
                'refused: {{reason}}',
              ),
            ],
          },
        ],
      },
      {
        title: 'Processes',
        panels: [
          {
            title: 'Event loop lag p99',
            unit: 's',
            queries: [q(`max by (pod) (nodejs_eventloop_lag_p99_seconds{${BOTH}})`, '{{pod}}')],
          },
          {
            title: 'Resident memory',
            unit: 'bytes',
            queries: [q(`max by (pod) (process_resident_memory_bytes{${BOTH}})`, '{{pod}}')],
          },
          {
            title: 'CPU',
            unit: 'percentunit',
            queries: [
              q(`sum by (pod) (rate(process_cpu_seconds_total{${BOTH}}${RATE}))`, '{{pod}}'),
            ],
          },
          {
            title: 'Log lines dropped per second',
            unit: 'ops',
            queries: [q(`sum by (pod) (rate(log_lines_dropped_total{${BOTH}}${RATE}))`, '{{pod}}')],
          },
        ],
      },
    ],
  },
};

function dashboard(uid, { title, rows }) {
  const panels = [];
  let id = 1;
  let y = 0;
  for (const row of rows) {
    panels.push({
      id: id++,
      type: 'row',
      title: row.title,
      collapsed: false,
      gridPos: { h: 1, w: 24, x: 0, y },
      panels: [],
    });
    y += 1;
    row.panels.forEach((panel, i) => {
      panels.push({
        id: id++,
        type: 'timeseries',
        title: panel.title,
        datasource: { type: 'prometheus', uid: '${datasource}' },
        gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: y + Math.floor(i / 2) * 8 },
        fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
        options: { legend: { displayMode: 'list', placement: 'bottom' } },
        targets: panel.queries.map((query, n) => ({
          refId: String.fromCharCode(65 + n),
          expr: query.expr,
          legendFormat: query.legend,
        })),
      });
    });
    y += Math.ceil(row.panels.length / 2) * 8;
  }

  return {
    uid: `bourse-${uid}`,
    title,
    tags: ['bourse'],
    schemaVersion: 39,
    editable: false,
    time: { from: 'now-6h', to: 'now' },
    refresh: '30s',
    templating: {
      list: [
        { name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Data source' },
        {
          name: 'namespace',
          type: 'query',
          datasource: { type: 'prometheus', uid: '${datasource}' },
          query: 'label_values(http_request_duration_seconds_count, namespace)',
          refresh: 2,
        },
        // The chart's full name, as the api/worker Services are named (<release>-api, <release>-worker).
        { name: 'release', type: 'constant', query: '__RELEASE__', hide: 2 },
      ],
    },
    panels,
  };
}

// Go templates would read Grafana's {{label}} legends: each brace pair is emitted as a literal.
const escapeForHelm = (text) =>
  text.replace(/\{\{|\}\}/g, (pair) => (pair === '{{' ? '{{ "{{" }}' : '{{ "}}" }}'));

function render() {
  const docs = Object.entries(DASHBOARDS).map(([uid, spec]) => {
    const json = escapeForHelm(JSON.stringify(dashboard(uid, spec), null, 2)).replace(
      '__RELEASE__',
      '{{ $fullname }}',
    );

    return [
      '---',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      `  name: {{ $fullname }}-dashboard-${uid}`,
      '  labels:',
      '    {{- include "bourse.labels" . | nindent 4 }}',
      '    {{- toYaml .Values.metrics.dashboards.labels | nindent 4 }}',
      '  {{- with .Values.metrics.dashboards.annotations }}',
      '  annotations:',
      '    {{- toYaml . | nindent 4 }}',
      '  {{- end }}',
      'data:',
      `  bourse-${uid}.json: |-`,
      ...json.split('\n').map((line) => `    ${line}`),
    ].join('\n');
  });

  return [
    '{{- /* Generated by k8s/tools/dashboards.mjs: edit the panels there, then run it. */ -}}',
    '{{- if .Values.metrics.dashboards.enabled }}',
    '{{- $fullname := include "bourse.fullname" . }}',
    ...docs,
    '{{- end }}',
    '',
  ].join('\n');
}

const text = render();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // Missing counts as stale.
  }
  if (current !== text) {
    console.error(`${target} is stale: run node k8s/tools/dashboards.mjs`);
    process.exit(1);
  }
  console.log('dashboards template is current');
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
