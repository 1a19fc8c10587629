import {
  AuthModule,
  AuthService,
  ConfigModule,
  DatabaseModule,
  type AppConfig,
} from '@bourse/platform';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

@Module({})
class SeedModule {
  static forConfig(config: AppConfig): DynamicModule {
    return {
      module: SeedModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule, AuthModule],
    };
  }
}

/** Creates the demo admin and user through the real AuthService; running it again changes nothing. */
export async function seed(config: AppConfig): Promise<string> {
  const app = await NestFactory.createApplicationContext(SeedModule.forConfig(config), {
    logger: false,
  });
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
