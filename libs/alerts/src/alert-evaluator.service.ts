import { LeaderLease, MarketChannels } from '@bourse/market-data';
import { APP_CONFIG, Database, REDIS, REDIS_SUBSCRIBER } from '@bourse/platform';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { AlertFiring, type CommittedTick } from './alert-firing.service';
import { AlertRuleRepository } from './alert-rule.repository';
import { AlertStreamRepository } from './alert-stream.repository';
import type { AlertsAppConfig } from './alerts.config';
import { AlertsChannels, AlertsKeys, type RuleChangeMessage } from './alerts.keys';
import type { LiveEventMessage } from './alerts.live';
import { AlertsEvaluatorMetrics } from './alerts.metrics';
import type { PriceSample } from './alerts.types';
import { toAlertEventDto } from './dto/alert-event.dto';
import { SymbolEvaluator } from './engine/symbol-evaluator';

/** The partition a symbol belongs to (FNV-1a), the same in every worker. */
export function partitionOf(symbol: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < symbol.length; i += 1) {
    hash = Math.imul(hash ^ symbol.charCodeAt(i), 0x01000193);
  }

  return (hash >>> 0) % partitions;
}

const isSample = (value: unknown): value is PriceSample => {
  const tick = value as Partial<PriceSample> | null;

  return (
    typeof tick?.symbol === 'string' &&
    typeof tick.price === 'string' &&
    /^\d+(\.\d+)?$/.test(tick.price) &&
    Number.isSafeInteger(tick.ts) &&
    Number.isSafeInteger(tick.seq)
  );
};

/**
 * Evaluates alert rules on the tick stream. Symbols are split into ALERTS_PARTITIONS partitions;
 * a worker evaluates the ticks of the partitions whose lease it holds (market-data's fenced
 * LeaderLease, one per partition), each symbol's ticks one after another. A symbol's state and
 * rules are read from Postgres when first needed, so a worker taking a partition over carries on
 * from the last tick its predecessor stored: a crossing across the handover is seen (the prices
 * on both sides of it are compared) and a tick stored once is never fired again (its
 * transaction is refused). `evaluate` is the entry point ticks go through.
 */
@Injectable()
export class AlertEvaluator implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AlertEvaluator.name);
  private readonly ownerId = `${hostname()}:${process.pid}:${randomUUID()}`;
  private readonly symbols = new Map<string, Promise<SymbolEvaluator>>();
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly held = new Set<number>();
  private readonly leases: LeaderLease[] = [];
  private readonly channels: { ticks: string; rules: string; events: string };
  private refreshTimer?: NodeJS.Timeout;
  private running = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AlertsAppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_SUBSCRIBER) private readonly subscriber: Redis,
    private readonly db: Database,
    private readonly rules: AlertRuleRepository,
    private readonly streams: AlertStreamRepository,
    private readonly firing: AlertFiring,
    private readonly metrics: AlertsEvaluatorMetrics,
  ) {
    const prefix = config.redis.keyPrefix;
    this.channels = {
      ticks: MarketChannels.ticks(prefix),
      rules: AlertsChannels.rules(prefix),
      events: AlertsChannels.events(prefix),
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.alerts.evaluator) {
      await this.start();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** Joins the partition leases and listens to ticks and rule changes. */
  async start(): Promise<void> {
    this.running = true;
    this.subscriber.on('message', this.onMessage);
    await this.subscriber.subscribe(this.channels.ticks, this.channels.rules);
    for (let partition = 0; partition < this.config.alerts.partitions; partition += 1) {
      const lease = new LeaderLease(this.redis, {
        provider: `alerts:${partition}`,
        keys: { lease: AlertsKeys.lease(partition), fence: AlertsKeys.fence(partition) },
        ownerId: this.ownerId,
        ttlMs: this.config.alerts.leaseTtlMs,
      });
      this.leases.push(lease);
      lease.start({
        onAcquired: () => this.held.add(partition),
        onLost: () => this.release(partition),
      });
    }
    this.scheduleRefresh();
  }

  /** Leaves every partition (released at once for the next worker) after the ticks in flight. */
  async stop(): Promise<void> {
    if (!this.running) {
      return;
    }
    this.running = false;
    clearTimeout(this.refreshTimer);
    this.subscriber.off('message', this.onMessage);
    await this.subscriber.unsubscribe(this.channels.ticks, this.channels.rules).catch(() => 0);
    await Promise.all(this.leases.map((lease) => lease.stop()));
    this.leases.length = 0;
    await Promise.allSettled([...this.chains.values()]);
  }

  /** Partitions this worker evaluates now. */
  get partitions(): number[] {
    return [...this.held].sort((a, b) => a - b);
  }

  /**
   * Evaluates one tick of its symbol after the ticks queued before it, and stores what it
   * fired. Undefined when the tick was already evaluated (here or by another evaluator) or its
   * transaction found a later tick stored.
   */
  evaluate(tick: PriceSample): Promise<CommittedTick | undefined> {
    return this.serially(tick.symbol, async () => {
      const evaluator = await this.evaluatorOf(tick.symbol);
      const evaluation = evaluator.evaluate(tick);
      if (!evaluation) {
        return undefined;
      }
      if (!evaluation.store) {
        evaluator.apply(evaluation, [], []);
        this.metrics.recordTick(evaluation.examined);

        return { fired: [], events: [], expired: [] };
      }
      let committed: CommittedTick | undefined;
      try {
        committed = await this.firing.commit(evaluation);
      } catch (error) {
        this.forget(tick.symbol);
        throw error;
      }
      if (!committed) {
        // Another evaluator stored this tick or a later one: read its state before the next.
        this.forget(tick.symbol);

        return undefined;
      }
      evaluator.apply(evaluation, committed.fired, committed.expired);
      this.metrics.recordTick(evaluation.examined);
      committed.fired.forEach((fire) => this.metrics.recordFired(fire.rule.operator));
      this.countActive();
      await this.publish(committed);

      return committed;
    });
  }

  /** Re-reads every rule and the symbols' state (as after a failover), and expires due rules. */
  async refresh(): Promise<void> {
    const expired = await this.rules.expireDue(this.db.manager, new Date());
    if (expired.length > 0) {
      this.logger.log({ msg: 'alerts expired', count: expired.length });
    }
    await Promise.all(
      [...this.symbols.keys()].map((symbol) =>
        this.serially(symbol, async () => this.forget(symbol)),
      ),
    );
    this.countActive();
  }

  private readonly onMessage = (channel: string, message: string): void => {
    if (channel === this.channels.ticks) {
      this.onTick(message);
    } else if (channel === this.channels.rules) {
      this.onRuleChange(message);
    }
  };

  private onTick(message: string): void {
    let tick: unknown;
    try {
      tick = JSON.parse(message);
    } catch {
      return;
    }
    if (
      !isSample(tick) ||
      !this.held.has(partitionOf(tick.symbol, this.config.alerts.partitions))
    ) {
      return;
    }
    this.evaluate(tick).catch((error: unknown) =>
      this.logger.error({
        msg: 'tick not evaluated',
        symbol: tick.symbol,
        seq: tick.seq,
        err: error,
      }),
    );
  }

  private onRuleChange(message: string): void {
    let change: RuleChangeMessage;
    try {
      change = JSON.parse(message) as RuleChangeMessage;
    } catch {
      return;
    }
    if (!this.symbols.has(change.symbol)) {
      return;
    }
    this.serially(change.symbol, async () => {
      const evaluator = await this.evaluatorOf(change.symbol);
      const rule = await this.rules.find(this.db.manager, change.ruleId);
      if (rule) {
        evaluator.put(rule);
      } else {
        evaluator.drop(change.ruleId);
      }
      this.countActive();
    }).catch((error: unknown) =>
      this.logger.warn({ msg: 'alert change not applied', ruleId: change.ruleId, err: error }),
    );
  }

  private evaluatorOf(symbol: string): Promise<SymbolEvaluator> {
    let evaluator = this.symbols.get(symbol);
    if (!evaluator) {
      evaluator = this.load(symbol);
      this.symbols.set(symbol, evaluator);
      evaluator.catch(() => this.symbols.delete(symbol));
    }

    return evaluator;
  }

  private async load(symbol: string): Promise<SymbolEvaluator> {
    const [state, rules] = await Promise.all([
      this.streams.symbolState(this.db.manager, symbol),
      this.rules.activeForSymbols(this.db.manager, [symbol]),
    ]);
    const evaluator = new SymbolEvaluator(symbol, state, this.config.alerts.maxBars);
    rules.forEach((rule) => evaluator.put(rule));

    return evaluator;
  }

  private forget(symbol: string): void {
    this.symbols.delete(symbol);
  }

  private release(partition: number): void {
    this.held.delete(partition);
    for (const symbol of this.symbols.keys()) {
      if (partitionOf(symbol, this.config.alerts.partitions) === partition) {
        this.forget(symbol);
      }
    }
    this.countActive();
  }

  /** Runs `work` after the symbol's earlier work (ticks and rule changes stay in order). */
  private serially<T>(symbol: string, work: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(symbol) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.chains.set(symbol, next);
    void next
      .catch(() => undefined)
      .finally(() => {
        if (this.chains.get(symbol) === next) {
          this.chains.delete(symbol);
        }
      });

    return next;
  }

  /** Straight after the commit, for latency; the outbox's publish-live job repeats it. */
  private async publish(committed: CommittedTick): Promise<void> {
    for (const event of committed.events) {
      const message: LiveEventMessage = { userId: event.userId, event: toAlertEventDto(event) };
      await this.redis
        .publish(this.channels.events, JSON.stringify(message))
        .catch((error: unknown) =>
          this.logger.warn({ msg: 'alert event not published', eventId: event.id, err: error }),
        );
    }
  }

  private countActive(): void {
    void Promise.all([...this.symbols.values()].map((p) => p.catch(() => undefined))).then(
      (evaluators) =>
        this.metrics.setActive(evaluators.reduce((sum, e) => sum + (e?.ruleCount ?? 0), 0)),
    );
  }

  private scheduleRefresh(): void {
    this.refreshTimer = setTimeout(() => {
      this.refresh()
        .catch((error: unknown) => this.logger.warn({ msg: 'alerts not refreshed', err: error }))
        .finally(() => {
          if (this.running) {
            this.scheduleRefresh();
          }
        });
    }, this.config.alerts.refreshMs);
  }
}
