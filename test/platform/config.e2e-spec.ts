import { ALERTS_CONFIG } from '@bourse/alerts';
import { AUCTIONS_CONFIG } from '@bourse/auctions';
import { KYC_CONFIG } from '@bourse/kyc';
import { LEDGER_CONFIG } from '@bourse/ledger';
import { MARKET_CONFIG } from '@bourse/market-data';
import { NOTIFICATIONS_CONFIG } from '@bourse/notifications';
import { ORDERS_CONFIG } from '@bourse/orders';
import { PAYMENTS_CONFIG } from '@bourse/payments';
import {
  ConfigError,
  ConfigModule,
  configVars,
  loadConfig,
  requireConfigSection,
  type AppConfig,
  type Env,
} from '@bourse/platform';
import { STORAGE_CONFIG } from '@bourse/storage';
import { TRADING_CONFIG } from '@bourse/trading';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { API_CONFIG_SECTIONS } from '../../apps/api/src/api.config';
import { CLI_CONFIG_SECTIONS } from '../../apps/cli/src/cli.config';
import { WORKER_CONFIG_SECTIONS } from '../../apps/worker/src/worker.config';

const run = promisify(execFile);

const bootProblems = (env: Env, sections = API_CONFIG_SECTIONS): string[] => {
  try {
    loadConfig(env, sections);
  } catch (error) {
    if (error instanceof ConfigError) {
      return error.problems;
    }
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe("the libs' config sections, as the apps compose them", () => {
  it('let both apps load the ledger, market data, storage, notifications, trading, KYC, payments, alerts, auctions and top-up orders, and the cli the seed besides', () => {
    expect(API_CONFIG_SECTIONS).toEqual([
      LEDGER_CONFIG,
      MARKET_CONFIG,
      STORAGE_CONFIG,
      NOTIFICATIONS_CONFIG,
      TRADING_CONFIG,
      KYC_CONFIG,
      PAYMENTS_CONFIG,
      ALERTS_CONFIG,
      AUCTIONS_CONFIG,
      ORDERS_CONFIG,
    ]);
    expect(WORKER_CONFIG_SECTIONS).toEqual([
      LEDGER_CONFIG,
      MARKET_CONFIG,
      STORAGE_CONFIG,
      NOTIFICATIONS_CONFIG,
      KYC_CONFIG,
      PAYMENTS_CONFIG,
      TRADING_CONFIG,
      ALERTS_CONFIG,
      AUCTIONS_CONFIG,
      ORDERS_CONFIG,
    ]);
    const cli = loadConfig({}, CLI_CONFIG_SECTIONS);
    expect(cli.ledger.hotAccountShards).toBe(16);
    expect(cli.market.provider).toBe('simulated');
    expect(cli.storage.bucket).toBe('bourse-uploads');
    expect(cli.notifications.smtpUrl).toBe('smtp://127.0.0.1:3226');
    expect(cli.payments.stripe.apiUrl).toBe('http://127.0.0.1:3205');
    expect(cli.orders.dtone.apiUrl).toBe('http://127.0.0.1:3230');
    expect(cli.seed.adminEmail).toBe('admin@bourse.local');
    expect(cli.auctions.extendSeconds).toBe(30);
    expect('seed' in loadConfig({}, API_CONFIG_SECTIONS)).toBe(false);
  });

  it('stop the boot of a lib module whose section the app did not compose', async () => {
    @Module({ providers: [requireConfigSection(LEDGER_CONFIG)] })
    class NeedsLedgerConfig {}
    const boot = (config: AppConfig) =>
      NestFactory.createApplicationContext(
        { module: NeedsLedgerConfig, imports: [ConfigModule.forRoot(config)] },
        { logger: false, abortOnError: false },
      );

    await expect(boot(loadConfig({}, [MARKET_CONFIG]))).rejects.toThrow(
      'The "ledger" config section is not composed',
    );
    const app = await boot(loadConfig({}, API_CONFIG_SECTIONS));
    await app.close();
  });

  it("name a lib's bad variable in the one boot error, with the platform's", () => {
    const problems = bootProblems({
      API_PORT: 'x',
      LEDGER_HOT_ACCOUNT_SHARDS: '0',
      MARKET_PROVIDER: 'metalpriceapi',
      PRICES_MAX_CONNECTIONS_PER_IP: 'many',
    });
    expect(problems).toEqual([
      'API_PORT: must be an integer, got "x"',
      'LEDGER_HOT_ACCOUNT_SHARDS: must be >= 1, got 0',
      'PRICES_MAX_CONNECTIONS_PER_IP: must be an integer, got "many"',
    ]);
    expect(bootProblems({ MARKET_PROVIDER: 'metalpriceapi' })).toEqual([
      'METALPRICEAPI_KEY: is required when MARKET_PROVIDER=metalpriceapi',
    ]);
  });

  it("are what the deploy cross-check reads: same names, secrets and defaults, in the libs' files", async () => {
    const { stdout } = await run(process.execPath, ['k8s/tools/cross-check.mjs', '--vars']);
    const checked = JSON.parse(stdout) as Record<
      string,
      { file: string; secret?: boolean; default?: string }
    >;
    const declared = configVars(CLI_CONFIG_SECTIONS);

    expect(Object.keys(checked).sort()).toEqual(Object.keys(declared).sort());
    for (const [name, spec] of Object.entries(declared)) {
      expect([name, checked[name]!.secret ?? false, checked[name]!.default]).toEqual([
        name,
        spec.secret ?? false,
        spec.default,
      ]);
    }
    expect(checked.LEDGER_HOT_ACCOUNT_SHARDS!.file).toBe('libs/ledger/src/ledger.config.ts');
    expect(checked.MARKET_PROVIDER!.file).toBe('libs/market-data/src/market.config.ts');
    expect(checked.STORAGE_S3_BUCKET!.file).toBe('libs/storage/src/storage.config.ts');
    expect(checked.SEED_ADMIN_PASSWORD!.file).toBe('apps/cli/src/seed.config.ts');
    expect(checked.API_PORT!.file).toBe('libs/platform/src/config/config.schema.ts');
  });

  it("hold the chart's values.schema.json and the compose file to the libs' variables", async () => {
    // No renders given: the config, values.schema.json, compose, Prometheus and Dockerfile checks.
    const { stdout } = await run(process.execPath, ['k8s/tools/cross-check.mjs']);
    const count = Object.keys(configVars(CLI_CONFIG_SECTIONS)).length;
    expect(stdout).toMatch(
      new RegExp(`^cross-check ok: \\d+ checks \\(${count} config variables`, 'm'),
    );
  });

  it("fail when the chart's values.schema.json leaves out a lib's variable", async () => {
    // A copy of what the cross-check reads, with one ledger variable taken out of the schema.
    const root = mkdtempSync(join(tmpdir(), 'bourse-cross-check-'));
    try {
      for (const path of [
        'libs',
        'apps',
        'k8s',
        'docker',
        'package.json',
        'nest-cli.json',
        '.dockerignore',
        '.github',
      ]) {
        cpSync(path, join(root, path), { recursive: true });
      }
      symlinkSync(resolve('node_modules'), join(root, 'node_modules'));
      const schemaPath = join(root, 'k8s/bourse/values.schema.json');
      const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
      delete schema.properties.config.properties.LEDGER_VERIFY_INTERVAL_SECONDS;
      writeFileSync(schemaPath, JSON.stringify(schema));

      const failed = await run(process.execPath, [join(root, 'k8s/tools/cross-check.mjs')]).catch(
        (error: { code: number; stderr: string }) => error,
      );
      expect(failed).toMatchObject({ code: 1 });
      expect((failed as { stderr: string }).stderr).toContain(
        'values.schema.json: config.LEDGER_VERIFY_INTERVAL_SECONDS missing (declared in libs/ledger/src/ledger.config.ts)',
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
