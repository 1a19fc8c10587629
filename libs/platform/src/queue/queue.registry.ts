import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import Bull, { type Queue } from 'bull';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { bullRootOptions } from './queue.options';

/**
 * The Bull queues of this process: those registered with `BullModule.registerQueue` (their
 * processors run here) and producer-only queues opened on demand for the outbox relay.
 */
@Injectable()
export class QueueRegistry implements OnApplicationShutdown {
  private readonly logger = new Logger('Queues');
  private readonly opened = new Map<string, Queue>();
  private discovered?: Queue[];
  private closing?: Promise<void>;

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Queues with processors in this process; complete only once the application has initialized. */
  registered(): Queue[] {
    if (!this.discovered) {
      this.discovered = [
        ...new Set(
          this.discovery
            .getProviders()
            .map((wrapper) => wrapper.instance as unknown)
            .filter((instance): instance is Queue => instance instanceof Bull),
        ),
      ];
      this.discovered.forEach((queue) => this.watchErrors(queue));
    }

    return this.discovered;
  }

  all(): Queue[] {
    return [...this.registered(), ...this.opened.values()];
  }

  /** The registered queue (so its own default job options apply), else a producer-only one. */
  get(name: string): Queue {
    const registered = this.registered().find((queue) => queue.name === name);
    if (registered) {
      return registered;
    }
    let queue = this.opened.get(name);
    if (!queue) {
      queue = new Bull(name, this.config.redis.url, bullRootOptions(this.config));
      this.watchErrors(queue);
      this.opened.set(name, queue);
    }

    return queue;
  }

  /** Closes every queue; Bull's close waits for the jobs running in this process to finish. */
  close(): Promise<void> {
    this.closing ??= Promise.all(this.all().map((queue) => queue.close())).then(() => undefined);

    return this.closing;
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  // A queue re-emits its Redis clients' errors; unhandled, an 'error' event kills the process.
  private watchErrors(queue: Queue): void {
    if (queue.listenerCount('error') === 0) {
      queue.on('error', (error: Error) =>
        this.logger.warn({ msg: 'queue error', queue: queue.name, err: error }),
      );
    }
  }
}
