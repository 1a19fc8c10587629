import { startTelemetry } from '@bourse/platform/telemetry/start';

// Telemetry starts before the app is imported: tracing patches pg, ioredis and http as they load.
void startTelemetry('api').then(async (telemetry) => {
  const { serve } = await import('./serve');
  await serve(telemetry);
});
