import { Logger } from '@nestjs/common';
import type { PriceProvider } from '../providers';
import type { Quote, Tick } from '../tick';
import type { LeaderLease, LeaseLossReason } from './leader-lease';
import type { DropReason, TickPublisher } from './tick-publisher';

/** What the runner reports, for metrics. */
export interface UpstreamObserver {
  published(tick: Tick): void;
  dropped(reason: DropReason | 'error'): void;
  leading(isLeader: boolean): void;
}

export interface UpstreamRunnerOptions {
  lease: LeaderLease;
  publisher: TickPublisher;
  /** A fresh provider for each term of leadership. */
  createProvider: () => PriceProvider | Promise<PriceProvider>;
  /** Receives every published tick (the candle buffer); must not throw or block. */
  onTick: (tick: Tick) => void;
  observer?: UpstreamObserver;
}

interface Term {
  token: number;
  provider?: PriceProvider;
  inflight: Set<Promise<void>>;
}

/**
 * Runs one provider while this process holds its lease: starts it on acquisition, publishes its
 * quotes under the lease's fencing token, and stops it when the lease is lost, the publisher
 * reports the token fenced, or the process shuts down.
 */
export class UpstreamRunner {
  private readonly logger = new Logger('MarketUpstream');
  private term?: Term;
  // Starting and stopping providers run one after another, never interleaved.
  private transitions: Promise<void> = Promise.resolve();

  constructor(private readonly options: UpstreamRunnerOptions) {}

  get isLeader(): boolean {
    return this.term !== undefined;
  }

  start(): void {
    this.options.lease.start({
      onAcquired: (token) => this.enqueue(() => this.lead(token)),
      onLost: (token, reason) => this.enqueue(() => this.follow(token, reason)),
    });
  }

  /** Stops the provider, waits for its last publishes, then releases the lease. */
  stop(): Promise<void> {
    return this.options.lease.stop();
  }

  private enqueue(transition: () => Promise<void>): Promise<void> {
    this.transitions = this.transitions.then(transition);

    return this.transitions;
  }

  private async lead(token: number): Promise<void> {
    const term: Term = { token, inflight: new Set() };
    this.term = term;
    this.options.observer?.leading(true);
    this.logger.log({ msg: 'leading the upstream', token });
    try {
      term.provider = await this.options.createProvider();
      await term.provider.start((quote) => this.onQuote(term, quote));
    } catch (error) {
      // Probably this replica cannot reach the upstream: let another one try.
      this.logger.error({ msg: 'provider did not start', token, err: error });
      void this.options.lease.stepDown(token);
    }
  }

  private async follow(token: number, reason: LeaseLossReason): Promise<void> {
    const term = this.term;
    if (term?.token !== token) {
      return;
    }
    this.term = undefined;
    this.options.observer?.leading(false);
    this.logger.log({ msg: 'no longer leading the upstream', token, reason });
    try {
      await term.provider?.stop();
    } finally {
      await Promise.all(term.inflight);
    }
  }

  private onQuote(term: Term, quote: Quote): void {
    // A provider may call back after its term ended; its quotes would be fenced anyway.
    if (this.term !== term) {
      return;
    }
    const work = this.publish(term, quote).finally(() => term.inflight.delete(work));
    term.inflight.add(work);
  }

  private async publish(term: Term, quote: Quote): Promise<void> {
    const { publisher, observer, lease } = this.options;
    try {
      const result = await publisher.publish(quote, term.token);
      if (result.outcome !== 'published') {
        observer?.dropped(result.outcome);
        if (result.outcome === 'fenced') {
          // Another replica leads now (this one was paused past its expiry): stop at once.
          void lease.stepDown(term.token);
        }

        return;
      }
      observer?.published(result.tick);
      this.deliver(result.tick);
    } catch (error) {
      observer?.dropped('error');
      this.logger.warn({ msg: 'tick not published', symbol: quote.symbol, err: error });
    }
  }

  private deliver(tick: Tick): void {
    try {
      this.options.onTick(tick);
    } catch (error) {
      // The tick is out (stored and fanned out); only its candles miss it.
      this.logger.error({ msg: 'tick not handed to the candle buffer', tick, err: error });
    }
  }
}
