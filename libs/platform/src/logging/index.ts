export { createLogger, PinoLoggerService, REDACTED_PATHS } from './logger';
