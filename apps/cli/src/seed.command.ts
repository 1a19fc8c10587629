import {
  AuthModule,
  AuthService,
  ConfigModule,
  DatabaseModule,
  RedisModule,
} from '@bourse/platform';
import { Module, type DynamicModule } from '@nestjs/common';
import { commandContext } from './context';
import type { CliConfig } from './cli.config';

@Module({})
class SeedModule {
  static forConfig(config: CliConfig): DynamicModule {
    return {
      module: SeedModule,
      // Redis: sign-in counts failed attempts there (AuthModule needs it).
      imports: [ConfigModule.forRoot(config), DatabaseModule, RedisModule, AuthModule],
    };
  }
}

/** Creates the demo admin and user through the real AuthService; running it again changes nothing. */
export async function seed(config: CliConfig): Promise<string> {
  const app = await commandContext(SeedModule.forConfig(config));
  try {
    const auth = app.get(AuthService);
    const admin = await auth.ensureUser({
      email: config.seed.adminEmail,
      password: config.seed.adminPassword,
      role: 'admin',
    });
    const user = await auth.ensureUser({
      email: config.seed.userEmail,
      password: config.seed.userPassword,
      role: 'user',
    });

    return `seeded ${admin.email} (${admin.role}) and ${user.email} (${user.role})`;
  } finally {
    await app.close();
  }
}
