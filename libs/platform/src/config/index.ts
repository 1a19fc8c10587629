export { APP_CONFIG, ConfigModule } from './config.module';
export { ConfigError, loadConfig, type AppConfig, type Env } from './config';
export { CONFIG_VARS } from './config.schema';
