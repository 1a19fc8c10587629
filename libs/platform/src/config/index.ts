export { APP_CONFIG, ConfigModule } from './config.module';
export { ConfigError, loadConfig, type AppConfig, type Env } from './config';
export { CONFIG_VARS } from './config.schema';
export { CONFIG_TABLE_END, CONFIG_TABLE_START, configTable } from './config.docs';
