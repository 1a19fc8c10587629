import {
  ConfigModule,
  DatabaseModule,
  ObservabilityModule,
  RedisModule,
  type AppConfig,
} from '@bourse/platform';
import { Module, type DynamicModule } from '@nestjs/common';

export type ModuleImport = NonNullable<DynamicModule['imports']>[number];

@Module({})
export class ApiModule {
  /** `extra` lets tests mount their own controllers on the production stack. */
  static forConfig(config: AppConfig, extra: ModuleImport[] = []): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        RedisModule,
        ObservabilityModule.forRoot(),
        ...extra,
      ],
    };
  }
}
