import {
  AuthModule,
  ConfigModule,
  DatabaseModule,
  IdempotencyModule,
  ObservabilityModule,
  QueueModule,
  RateLimitModule,
  RedisModule,
  type AppConfig,
} from '@bourse/platform';
import { Module, type DynamicModule } from '@nestjs/common';
import { ApiKeysController } from './auth/api-keys.controller';
import { AuthController } from './auth/auth.controller';
import { MeController } from './auth/me.controller';

export type ModuleImport = NonNullable<DynamicModule['imports']>[number];

@Module({})
export class ApiModule {
  /** `extra` lets tests mount their own controllers on the production stack. */
  static forConfig(config: AppConfig, extra: ModuleImport[] = []): DynamicModule {
    return {
      module: ApiModule,
      controllers: [AuthController, MeController, ApiKeysController],
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        RedisModule,
        QueueModule,
        ObservabilityModule.forRoot(),
        RateLimitModule,
        IdempotencyModule,
        // Global guards run in module order: throttling first, then credential lookups.
        AuthModule,
        ...extra,
      ],
    };
  }
}
