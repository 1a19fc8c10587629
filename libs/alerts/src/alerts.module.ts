import { NotificationsModule } from '@bourse/notifications';
import { requireConfigSection } from '@bourse/platform';
import { Module } from '@nestjs/common';
import { AlertEvaluator } from './alert-evaluator.service';
import { AlertEventsService } from './alert-events.service';
import { AlertFiring } from './alert-firing.service';
import { AlertRuleRepository } from './alert-rule.repository';
import { AlertRulesService } from './alert-rules.service';
import { AlertStreamHub } from './alert-stream-hub.service';
import { AlertStreamRepository } from './alert-stream.repository';
import { ALERTS_CONFIG } from './alerts.config';
import { AlertsDeliveryMetrics, AlertsEvaluatorMetrics } from './alerts.metrics';

/** Rules and streams (both apps need them). */
@Module({
  providers: [
    requireConfigSection(ALERTS_CONFIG),
    AlertRuleRepository,
    AlertStreamRepository,
    AlertRulesService,
    AlertEventsService,
  ],
  exports: [AlertRulesService, AlertEventsService, AlertRuleRepository, AlertStreamRepository],
})
export class AlertsModule {}

/** The api's part: the REST services and the live streams of `/alerts` and SSE. */
@Module({
  imports: [AlertsModule],
  providers: [AlertStreamHub, AlertsDeliveryMetrics],
  exports: [AlertsModule, AlertStreamHub],
})
export class AlertsApiModule {}

/** The worker's part: the evaluator (when ALERTS_EVALUATOR is on) and its firing. */
@Module({
  imports: [AlertsModule, NotificationsModule],
  providers: [AlertEvaluator, AlertFiring, AlertsEvaluatorMetrics],
  exports: [AlertsModule, AlertEvaluator],
})
export class AlertsWorkerModule {}
