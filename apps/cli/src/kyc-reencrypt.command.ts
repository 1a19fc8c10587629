import { KycModule, KycRetentionService } from '@bourse/kyc';
import { ConfigModule, DatabaseModule, IdempotencyModule, QueueModule } from '@bourse/platform';
import { Module, type DynamicModule } from '@nestjs/common';
import type { CliConfig } from './cli.config';
import { commandContext } from './context';

@Module({})
class KycReencryptModule {
  static forConfig(config: CliConfig): DynamicModule {
    return {
      module: KycReencryptModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        QueueModule,
        IdempotencyModule,
        KycModule,
      ],
    };
  }
}

/**
 * `kyc:reencrypt`: re-seals every KYC ciphertext not under KYC_PII_KEY_ID with the current key
 * (the old keys listed in KYC_PII_OLD_KEYS open them), in batches; safe to run again or beside
 * the apps (rows are locked while they change).
 */
export async function reencryptKyc(config: CliConfig): Promise<string> {
  const app = await commandContext(KycReencryptModule.forConfig(config));
  try {
    const changed = await app.get(KycRetentionService).reencrypt();

    return `kyc:reencrypt: ${changed} case(s) re-encrypted under key ${config.kyc.piiKeyId}`;
  } finally {
    await app.close();
  }
}
