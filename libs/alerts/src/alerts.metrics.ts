import { MetricsService } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Operator } from './alerts.types';

/** The evaluator's figures (worker): rules it holds, ticks and rules read, firings. */
@Injectable()
export class AlertsEvaluatorMetrics {
  private readonly ticks: Counter;
  private readonly examined: Counter;
  private readonly fired: Counter<'operator'>;
  private readonly active: Gauge;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.ticks = new Counter({
      name: 'alerts_ticks_evaluated_total',
      help: 'Ticks this evaluator evaluated and stored (the rate is evaluations per second).',
      registers,
    });
    this.examined = new Counter({
      name: 'alerts_rules_examined_total',
      help: 'Rules read from the threshold index for a tick: per tick, the rules it could fire.',
      registers,
    });
    this.fired = new Counter({
      name: 'alerts_fired_total',
      help: 'Alerts fired (stored events), by operator.',
      labelNames: ['operator'],
      registers,
    });
    this.active = new Gauge({
      name: 'alerts_rules_active',
      help: 'Active rules this evaluator holds for the symbols it evaluates.',
      registers,
    });
  }

  recordTick(examined: number): void {
    this.ticks.inc();
    this.examined.inc(examined);
  }

  recordFired(operator: Operator): void {
    this.fired.inc({ operator });
  }

  setActive(count: number): void {
    this.active.set(count);
  }
}

/** Delivery figures (api): tick to socket latency and replay sizes. */
@Injectable()
export class AlertsDeliveryMetrics {
  private readonly latency: Histogram;
  private readonly replays: Histogram;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.latency = new Histogram({
      name: 'alerts_delivery_latency_seconds',
      help: 'From the tick that fired an alert to its event written to a live connection.',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.replays = new Histogram({
      name: 'alerts_replay_events',
      help: 'Events replayed to a connection when it (re)connected.',
      buckets: [0, 1, 5, 20, 100, 500, 2000, 10000],
      registers,
    });
  }

  recordDelivered(tickTs: number): void {
    this.latency.observe(Math.max(0, Date.now() - tickTs) / 1000);
  }

  recordReplay(events: number): void {
    this.replays.observe(events);
  }
}
