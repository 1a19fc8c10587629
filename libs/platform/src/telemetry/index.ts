export {
  flushErrorReports,
  reportError,
  type ErrorOrigin,
  type ErrorReport,
} from './error-reporting';
export { startTelemetry, type Telemetry } from './start';
export {
  activeTraceIds,
  currentTraceCarrier,
  JOB_TRACE_KEY,
  tracingEnabled,
  type TraceCarrier,
  type TraceIds,
} from './trace-context';
