import { Database, InboxService, type ReceiveResult } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { validate as isUuid } from 'uuid';
import { AGGREGATOR_PROVIDER, type AggregatorCallbackDto } from './aggregator.webhook';
import { OrdersRepository } from './orders.repository';

/**
 * The aggregator's callbacks as the api takes them: the per-order secret of the callback URL
 * checked (in constant time) before the inbox stores the event, one event per transaction and
 * status, so a duplicated callback is stored once.
 */
@Injectable()
export class CallbackIntake {
  constructor(
    private readonly db: Database,
    private readonly repository: OrdersRepository,
    private readonly inbox: InboxService,
  ) {}

  async receive(
    query: { order?: string; secret?: string },
    callback: AggregatorCallbackDto,
  ): Promise<ReceiveResult> {
    const order =
      query.order && isUuid(query.order)
        ? await this.repository.find(this.db.manager, query.order)
        : undefined;
    const given = Buffer.from(query.secret ?? '');
    const expected = Buffer.from(order?.callbackSecret ?? '');
    if (
      !order ||
      callback.external_id !== order.id ||
      given.length !== expected.length ||
      !timingSafeEqual(given, expected)
    ) {
      this.inbox.refuseSignature(AGGREGATOR_PROVIDER);
    }

    return this.inbox.receive({
      provider: AGGREGATOR_PROVIDER,
      eventId: `${callback.id}:${callback.status.id}`,
      type: callback.status.message,
      payload: callback,
    });
  }
}
