import { NotificationsService, WebhooksService } from '@bourse/notifications';
import { Database, OutboxService, type Tx } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import { v5 as uuidV5 } from 'uuid';
import { AlertRuleRepository } from './alert-rule.repository';
import { AlertStreamRepository } from './alert-stream.repository';
import { ALERTS_QUEUE, AlertsJob, type PublishLiveJob } from './alerts.jobs';
import type { AlertEvent, AlertRule } from './alerts.types';
import { toAlertEventDto } from './dto/alert-event.dto';
import type { Evaluation, Fire } from './engine/symbol-evaluator';

// Namespace of event ids: uuid v5 of `<rule id>:<trigger key>`, the same in every evaluator.
const EVENT_NAMESPACE = '6f1d8c3e-52a4-4c1b-9e0f-7a2b3c4d5e6f';

/** The event id of a rule's firing for a trigger key (a bar, a tick, or its one firing). */
export const alertEventId = (ruleId: string, triggerKey: string): string =>
  uuidV5(`${ruleId}:${triggerKey}`, EVENT_NAMESPACE);

/** The notification and webhook type of a fired alert. */
export const ALERT_FIRED_TYPE = 'alerts.fired';

/** What a committed tick stored: the firings that won and the rules found expired. */
export interface CommittedTick {
  fired: Fire[];
  events: AlertEvent[];
  expired: AlertRule[];
}

/**
 * Stores one tick's outcome in one transaction: the symbol's state (refused when another
 * evaluator already stored this tick), then per firing the rule's conditional update, the event
 * with its deterministic id and the user's next seq, and the outbox rows of its channels. Either
 * all of a tick is stored or none of it.
 */
@Injectable()
export class AlertFiring {
  constructor(
    private readonly db: Database,
    private readonly outbox: OutboxService,
    private readonly rules: AlertRuleRepository,
    private readonly streams: AlertStreamRepository,
    private readonly notifications: NotificationsService,
    private readonly webhooks: WebhooksService,
  ) {}

  /** Undefined when superseded: another evaluator stored this tick or a later one. */
  commit(evaluation: Evaluation): Promise<CommittedTick | undefined> {
    return this.db.transaction(undefined, async (tx) => {
      if (!(await this.streams.advanceSymbol(tx, evaluation.state))) {
        return undefined;
      }
      await this.rules.expire(
        tx,
        evaluation.expired.map((rule) => rule.id),
      );
      const fired: Fire[] = [];
      const events: AlertEvent[] = [];
      // Users' stream rows are locked in one order by every evaluator: no deadlock between
      // symbols; a user's own firings keep their order (the sort is stable).
      const ordered = [...evaluation.fires].sort((a, b) =>
        a.rule.userId < b.rule.userId ? -1 : a.rule.userId > b.rule.userId ? 1 : 0,
      );
      for (const fire of ordered) {
        const event = await this.fire(tx, fire);
        if (event) {
          fired.push(fire);
          events.push(event);
        }
      }

      return { fired, events, expired: evaluation.expired };
    });
  }

  private async fire(tx: Tx, fire: Fire): Promise<AlertEvent | undefined> {
    const { rule } = fire;
    const id = alertEventId(rule.id, fire.triggerKey);
    if (!(await this.rules.fire(tx, fire)) || (await this.streams.eventExists(tx, id))) {
      return undefined;
    }
    const event = await this.streams.insertEvent(tx, {
      id,
      userId: rule.userId,
      seq: await this.streams.nextSeq(tx, rule.userId),
      ruleId: rule.id,
      triggerKey: fire.triggerKey,
      symbol: rule.symbol,
      operator: rule.operator,
      price: fire.price,
      tickSeq: fire.tickSeq,
      tickTs: fire.ts,
      message: rule.message,
    });
    await this.outbox.enqueue<PublishLiveJob>(tx, {
      queue: ALERTS_QUEUE,
      name: AlertsJob.PublishLive,
      jobId: `alerts-live:${event.id}`,
      payload: { eventId: event.id },
    });
    const sent = rule.channels.filter((c) => c !== 'webhook');
    if (sent.length > 0) {
      await this.notifications.notify(tx, {
        userId: rule.userId,
        type: ALERT_FIRED_TYPE,
        title: `${rule.symbol} alert`,
        body: rule.message ?? describe(rule, fire.price),
        data: { ...toAlertEventDto(event) },
        onlyChannels: sent,
      });
    }
    if (rule.channels.includes('webhook')) {
      await this.webhooks.publish(
        tx,
        ALERT_FIRED_TYPE,
        { ...toAlertEventDto(event) },
        `user:${rule.userId}`,
      );
    }

    return event;
  }
}

const describe = (rule: AlertRule, price: string): string =>
  `${rule.symbol} ${rule.operator.replace(/_/g, ' ')} ${
    rule.value ?? `${rule.lower}-${rule.upper}`
  }${rule.operator.startsWith('moving') ? ' %' : ''}: ${price}`;
