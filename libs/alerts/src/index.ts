export { ALERTS_CONFIG, type AlertsAppConfig } from './alerts.config';
export { AlertsApiModule, AlertsModule, AlertsWorkerModule } from './alerts.module';
export { AlertRulesService } from './alert-rules.service';
export { AlertEventsService, type ResumePoint } from './alert-events.service';
export { AlertEvaluator, partitionOf } from './alert-evaluator.service';
export {
  AlertFiring,
  ALERT_FIRED_TYPE,
  alertEventId,
  type CommittedTick,
} from './alert-firing.service';
export { sseResumePoint, streamEvents } from './alert-sse';
export { AlertStreamHub, StreamSession, type StreamSink } from './alert-stream-hub.service';
export { AlertsChannels, AlertsKeys, type RuleChangeMessage } from './alerts.keys';
export type { LiveEventMessage } from './alerts.live';
export { ALERTS_QUEUE, AlertsJob, type PublishLiveJob } from './alerts.jobs';
export {
  AlertExpiryPastError,
  AlertNotFoundError,
  AlertQuotaExceededError,
  InvalidAlertError,
} from './alerts.errors';
export {
  DELIVERY_CHANNELS,
  FREQUENCIES,
  OPERATORS,
  RULE_STATUSES,
  type AlertEvent,
  type AlertRule,
  type DeliveryChannel,
  type Frequency,
  type Operator,
  type PriceSample,
  type RuleStatus,
} from './alerts.types';
export {
  ALERTS_NAMESPACE,
  AlertsEvent,
  type AckReply,
  type AckRequest,
  type AlertsClientEvents,
  type AlertsHandshake,
  type AlertsReady,
  type AlertsServerEvents,
  type AlertStreamEvent,
} from './alerts.events';
export {
  AlertDto,
  AlertPageDto,
  AlertQueryDto,
  CreateAlertDto,
  UpdateAlertDto,
} from './dto/alert-rule.dto';
export {
  AckedDto,
  AckEventsDto,
  AlertEventDto,
  AlertEventPageDto,
  AlertEventsQueryDto,
} from './dto/alert-event.dto';
export {
  SymbolEvaluator,
  type Evaluation,
  type Fire,
  type SymbolState,
} from './engine/symbol-evaluator';
export { ALERTS_ASYNCAPI } from './alerts.asyncapi';
