import { Injectable, SetMetadata, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import type { Tx } from '../database/database';
import type { InboxEvent } from './inbox.repository';

const INBOX_HANDLER = 'bourse:inbox-handler';

/** Processes one provider's events; a lib registers it with `@InboxHandler('<provider>')`. */
export interface InboxEventHandler {
  /**
   * Applies the event in `tx`, the transaction that marks it processed: the effect and the mark
   * commit together. Delivered at least once (a throw is retried), never applied twice.
   */
  handle(event: InboxEvent, tx: Tx): Promise<void>;
}

/** Marks a provider (in a worker module) as the handler of `provider`'s inbox events. */
export const InboxHandler = (provider: string): ClassDecorator =>
  SetMetadata(INBOX_HANDLER, provider);

/** The handlers of this process, found among its providers at bootstrap (two for one provider fail it). */
@Injectable()
export class InboxHandlers implements OnApplicationBootstrap {
  private byProvider?: Map<string, InboxEventHandler>;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
  ) {}

  onApplicationBootstrap(): void {
    this.byProvider = this.discover();
  }

  get(provider: string): InboxEventHandler | undefined {
    this.byProvider ??= this.discover();

    return this.byProvider.get(provider);
  }

  private discover(): Map<string, InboxEventHandler> {
    const found = new Map<string, InboxEventHandler>();
    for (const wrapper of this.discovery.getProviders()) {
      if (!wrapper.metatype || !wrapper.instance) {
        continue;
      }
      const provider = this.reflector.get<string | undefined>(INBOX_HANDLER, wrapper.metatype);
      if (provider === undefined) {
        continue;
      }
      // A class provided by two modules is one handler only if it is one instance.
      if (found.has(provider) && found.get(provider) !== wrapper.instance) {
        throw new Error(`Two inbox handlers for provider "${provider}"`);
      }
      found.set(provider, wrapper.instance as InboxEventHandler);
    }

    return found;
  }
}
