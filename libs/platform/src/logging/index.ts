export { createLogger, PinoLoggerService, REDACTED_KEYS, redactSecrets } from './logger';
