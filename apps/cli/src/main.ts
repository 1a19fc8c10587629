import { ConfigError, configTable, loadConfig } from '@bourse/platform';
import { asyncapi } from './asyncapi.command';
import { backfill } from './backfill.command';
import { CLI_CONFIG_SECTIONS } from './cli.config';
import { runCustodySimulator } from './custody-simulator.command';
import { createDatabase, migrate, revert } from './database.commands';
import { runDtOneSimulator } from './dtone-simulator.command';
import { reencryptKyc } from './kyc-reencrypt.command';
import { verifyLedger } from './ledger-verify.command';
import { runOidcSimulator } from './oidc-simulator.command';
import { runOneSignalSimulator } from './onesignal-simulator.command';
import { openapi } from './openapi.command';
import { reconcilePayments } from './payments-reconcile.command';
import { runS3Simulator } from './s3-simulator.command';
import { seed, seedHistory } from './seed.command';
import { seedAuction } from './seed-auction.command';
import { runSmtpCapture } from './smtp-capture.command';
import { runStripeSimulator } from './stripe-simulator.command';
import { runPayPalSimulator } from './paypal-simulator.command';
import { runSumsubSimulator } from './sumsub-simulator.command';
import { runTwilioSimulator } from './twilio-simulator.command';

const USAGE =
  'usage: cli <db:create | db:migrate | db:revert | db:seed | ledger:verify | market:backfill [--days N] | openapi [--check] | asyncapi [--check] | config:docs | s3:simulator | smtp:capture | onesignal:simulator | stripe:simulator | paypal:simulator | twilio:simulator | payments:reconcile [--provider P] [--from ISO] [--to ISO] | sumsub:simulator | custody:simulator | kyc:reencrypt | oidc:simulator [--port N] | dtone:simulator>';

async function main(argv: string[]): Promise<string> {
  const [command, ...flags] = argv;
  const config = loadConfig(process.env, CLI_CONFIG_SECTIONS);
  switch (command) {
    case 'db:create':
      return createDatabase(config);
    case 'db:migrate':
      return migrate(config, (attempt, error) =>
        process.stderr.write(
          `db:migrate: attempt ${attempt} gave up on a lock (${(error as Error).message}), retrying\n`,
        ),
      );
    case 'db:revert':
      return revert(config);
    case 'db:seed':
      return `${await seed(config)}\n${await seedHistory(config)}\n${await seedAuction(config)}`;
    case 'market:backfill':
      return backfill(config, flags);
    case 'ledger:verify':
      return verifyLedger(config);
    case 'config:docs':
      return configTable(CLI_CONFIG_SECTIONS);
    case 'openapi':
      return openapi(config, flags.includes('--check'));
    case 'asyncapi':
      return asyncapi(flags.includes('--check'));
    case 's3:simulator':
      return runS3Simulator(config);
    case 'smtp:capture':
      return runSmtpCapture(config);
    case 'onesignal:simulator':
      return runOneSignalSimulator(config);
    case 'stripe:simulator':
      return runStripeSimulator(config);
    case 'paypal:simulator':
      return runPayPalSimulator(config);
    case 'twilio:simulator':
      return runTwilioSimulator(config);
    case 'payments:reconcile':
      return reconcilePayments(config, flags);
    case 'kyc:reencrypt':
      return reencryptKyc(config);
    case 'sumsub:simulator':
      return runSumsubSimulator(config);
    case 'custody:simulator':
      return runCustodySimulator(config);
    case 'oidc:simulator':
      return runOidcSimulator(flags);
    case 'dtone:simulator':
      return runDtOneSimulator(config);
    default:
      throw new Error(USAGE);
  }
}

main(process.argv.slice(2)).then(
  (message) => {
    process.stdout.write(`${message}\n`);
  },
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(error instanceof ConfigError ? 78 : 1);
  },
);
