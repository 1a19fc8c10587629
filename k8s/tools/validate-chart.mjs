/* global console, process, structuredClone */
// Validates rendered chart output without a cluster:
//  1. every document's apiVersion/kind is on the allow-list (kubernetes-models still ships
//     removed APIs such as policy/v1beta1, which a current cluster would reject);
//  2. each document passes its kubernetes-models JSON-schema validation (types, enums, required);
//  3. misspelled fields are caught by emitting the documents as typed TypeScript object literals
//     and running tsc (excess property checks): the JSON schemas allow unknown fields;
//  4. the values each render used pass values.schema.json (as Helm would check them).
//
// Usage: node k8s/tools/validate-chart.mjs <chartDir> <name>=<rendered.yaml>=<values.yaml|-> ...
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Ajv from 'ajv';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import * as apps from 'kubernetes-models/apps/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';
import * as batch from 'kubernetes-models/batch/v1';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as core from 'kubernetes-models/v1';
import * as monitoring from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import * as eso from '@kubernetes-models/external-secrets/external-secrets.io/v1beta1';

const root = resolve(import.meta.dirname, '../..');

// apiVersion/kind -> [model class, TypeScript module, interface]. ESO's v1 ExternalSecret has the
// same schema as v1beta1 (a promotion), and the installed models only ship v1beta1.
const ALLOWED = {
  'v1/ConfigMap': [core.ConfigMap, 'kubernetes-models/v1/ConfigMap', 'IConfigMap'],
  'v1/Service': [core.Service, 'kubernetes-models/v1/Service', 'IService'],
  'v1/ServiceAccount': [
    core.ServiceAccount,
    'kubernetes-models/v1/ServiceAccount',
    'IServiceAccount',
  ],
  'v1/Secret': [core.Secret, 'kubernetes-models/v1/Secret', 'ISecret'],
  'apps/v1/Deployment': [apps.Deployment, 'kubernetes-models/apps/v1/Deployment', 'IDeployment'],
  'batch/v1/Job': [batch.Job, 'kubernetes-models/batch/v1/Job', 'IJob'],
  'autoscaling/v2/HorizontalPodAutoscaler': [
    autoscaling.HorizontalPodAutoscaler,
    'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler',
    'IHorizontalPodAutoscaler',
  ],
  'policy/v1/PodDisruptionBudget': [
    policy.PodDisruptionBudget,
    'kubernetes-models/policy/v1/PodDisruptionBudget',
    'IPodDisruptionBudget',
  ],
  'networking.k8s.io/v1/Ingress': [
    networking.Ingress,
    'kubernetes-models/networking.k8s.io/v1/Ingress',
    'IIngress',
  ],
  'networking.k8s.io/v1/NetworkPolicy': [
    networking.NetworkPolicy,
    'kubernetes-models/networking.k8s.io/v1/NetworkPolicy',
    'INetworkPolicy',
  ],
  'monitoring.coreos.com/v1/ServiceMonitor': [
    monitoring.ServiceMonitor,
    '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor',
    'IServiceMonitor',
  ],
  'monitoring.coreos.com/v1/PrometheusRule': [
    monitoring.PrometheusRule,
    '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule',
    'IPrometheusRule',
  ],
  'external-secrets.io/v1/ExternalSecret': [
    eso.ExternalSecret,
    '@kubernetes-models/external-secrets/external-secrets.io/v1beta1/ExternalSecret',
    'IExternalSecret',
    'external-secrets.io/v1beta1',
  ],
  'external-secrets.io/v1beta1/ExternalSecret': [
    eso.ExternalSecret,
    '@kubernetes-models/external-secrets/external-secrets.io/v1beta1/ExternalSecret',
    'IExternalSecret',
  ],
};

const errors = [];
const fail = (where, message) => errors.push(`${where}: ${message}`);

// Helm's value merge: maps merge deeply, anything else replaces, null deletes.
const coalesce = (base, over) => {
  for (const [key, value] of Object.entries(over ?? {})) {
    if (value === null) {
      delete base[key];
    } else if (
      value &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      base[key] &&
      typeof base[key] === 'object' &&
      !Array.isArray(base[key])
    ) {
      base[key] = coalesce(base[key], value);
    } else {
      base[key] = value;
    }
  }

  return base;
};

const [chartDir, ...renders] = process.argv.slice(2);
if (!chartDir || renders.length === 0) {
  console.error('usage: validate-chart.mjs <chartDir> <name>=<rendered.yaml>=<values.yaml|-> ...');
  process.exit(2);
}
const schema = JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8'));
const validateValues = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(
  schema,
);
const defaults = parseYaml(readFileSync(join(chartDir, 'values.yaml'), 'utf8'));

const tsDocs = [];
const counts = {};
for (const spec of renders) {
  const [name, renderedFile, valuesFile] = spec.split('=');
  const values = coalesce(
    structuredClone(defaults),
    valuesFile && valuesFile !== '-' ? parseYaml(readFileSync(valuesFile, 'utf8')) : {},
  );
  if (!validateValues(values)) {
    for (const e of validateValues.errors) {
      fail(`${name} values`, `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
    }
  }

  const docs = parseAllDocuments(readFileSync(renderedFile, 'utf8'));
  counts[name] = 0;
  docs.forEach((doc, index) => {
    if (doc.errors.length > 0) {
      fail(`${name} doc ${index}`, `YAML: ${doc.errors.map((e) => e.message).join('; ')}`);

      return;
    }
    const manifest = doc.toJS();
    if (manifest === null) {
      return; // empty document between separators
    }
    counts[name] += 1;
    const id = `${name} ${manifest.kind}/${manifest.metadata?.name}`;
    const entry = ALLOWED[`${manifest.apiVersion}/${manifest.kind}`];
    if (!entry) {
      fail(id, `apiVersion/kind ${manifest.apiVersion}/${manifest.kind} is not on the allow-list`);

      return;
    }
    const [Model, tsModule, tsInterface, modelApiVersion] = entry;
    const data = modelApiVersion ? { ...manifest, apiVersion: modelApiVersion } : manifest;
    try {
      new Model(data).validate();
    } catch (error) {
      fail(id, `schema: ${error.message}`);
    }
    if (
      !manifest.metadata?.name ||
      !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(manifest.metadata.name)
    ) {
      fail(id, 'metadata.name is not a DNS-1123 name');
    }
    tsDocs.push({ id, tsModule, tsInterface, data });
  });
}

// Excess-property check through tsc, in a scratch dir that resolves the repo's node_modules.
const scratch = mkdtempSync(join(tmpdir(), 'bourse-chart-ts-'));
try {
  symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'), 'dir');
  const imports = new Map();
  const lines = [];
  tsDocs.forEach((doc, i) => {
    const alias = `T${imports.size}`;
    if (!imports.has(doc.tsModule)) {
      imports.set(doc.tsModule, { alias, name: doc.tsInterface });
    }
    const { alias: a } = imports.get(doc.tsModule);
    lines.push(`// ${doc.id}\nexport const m${i}: ${a} = ${JSON.stringify(doc.data, null, 2)};`);
  });
  const header = [...imports].map(
    ([module, { alias, name }]) => `import type { ${name} as ${alias} } from '${module}';`,
  );
  writeFileSync(join(scratch, 'manifests.ts'), `${header.join('\n')}\n${lines.join('\n')}\n`);
  writeFileSync(
    join(scratch, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'ES2023',
        skipLibCheck: true,
        types: [],
      },
      files: ['manifests.ts'],
    }),
  );
  try {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', scratch], {
      stdio: 'pipe',
    });
  } catch (error) {
    const source = readFileSync(join(scratch, 'manifests.ts'), 'utf8').split('\n');
    for (const line of String(error.stdout)
      .split('\n')
      .filter((l) => l.includes('error TS'))) {
      // Point at the manifest: the nearest "// <render> <Kind>/<name>" comment above the line.
      const lineNo = Number(/\((\d+),\d+\)/.exec(line)?.[1] ?? 0);
      let owner = 'manifest';
      for (let i = lineNo - 1; i >= 0; i -= 1) {
        if (source[i]?.startsWith('// ')) {
          owner = source[i].slice(3);
          break;
        }
      }
      fail(owner, `typed fields: ${line.replace(/^.*error TS\d+: /, '')}`);
    }
    if (!String(error.stdout).includes('error TS')) {
      fail('tsc', String(error.stdout) + String(error.stderr));
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const summary = Object.entries(counts)
  .map(([name, n]) => `${name}: ${n} manifests`)
  .join(', ');
if (errors.length > 0) {
  console.error(errors.map((e) => `  ✗ ${e}`).join('\n'));
  console.error(`chart validation failed (${errors.length} problems; ${summary})`);
  process.exit(1);
}
console.log(`chart validation ok (${summary}; schema + typed fields + values.schema.json)`);
