export { APP_CONFIG, ConfigModule } from './config.module';
export { ConfigError, configVars, loadConfig, type AppConfig, type Env } from './config';
export {
  configSection,
  requireConfigSection,
  type AnyConfigSection,
  type ConfigSection,
  type SectionConfig,
  type SectionsConfig,
} from './config.section';
export { CONFIG_VARS } from './config.schema';
export { CONFIG_TABLE_END, CONFIG_TABLE_START, configTable } from './config.docs';
export {
  int,
  list,
  oidcProviders,
  oneOf,
  str,
  trustProxy,
  url,
  type OidcProvider,
  type VarSpec,
} from './config.vars';
