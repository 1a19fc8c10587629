import {
  Database,
  newId,
  OutboxService,
  pageOf,
  principalKey,
  type Principal,
  type Tx,
} from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import {
  toDeliveryDto,
  toEndpointDto,
  type CreatedWebhookEndpointDto,
  type CreateWebhookEndpointDto,
  type DeliveryPageDto,
  type DeliveryQueryDto,
  type ReplayDto,
  type ReplayResultDto,
  type UpdateWebhookEndpointDto,
  type WebhookDeliveryDto,
  type WebhookEndpointDto,
  type WebhookSecretDto,
} from '../dto/webhook.dto';
import { InvalidNotificationError } from '../notifications.errors';
import { NOTIFICATION_TYPE_PATTERN } from '../notifications.types';
import { newWebhookSecret, signedHeaders } from './webhook-signature';
import { WebhookSender, type SendResult } from './webhook-sender';
import { WebhookMetrics } from './webhook.metrics';
import { WebhookRepository, type DueDelivery } from './webhook.repository';
import {
  DISABLE_AFTER_FAILING_MS,
  MAX_RETRY_AFTER_MS,
  RETRY_DELAYS_MS,
  ROTATION_GRACE_MS,
  webhookId,
  type DeliveryState,
  type WebhookEndpoint,
} from './webhook.types';
import { InvalidWindowError, WebhookNotFoundError } from './webhooks.errors';
import { deliverJobId, WEBHOOKS_QUEUE, WebhooksJob, type DeliverJob } from './webhooks.jobs';

const REPLAY_LIMIT = 10_000;

/** What a deliver job did: `stale` when another run already made this attempt. */
export type DeliverOutcome = DeliveryState | 'stale';

/** ±20 % around the schedule's delay, so retries of many deliveries do not arrive in step. */
const jittered = (ms: number): number => Math.round(ms * (0.8 + Math.random() * 0.4));

/**
 * Outgoing webhooks to partners (Standard Webhooks). A lib publishes an event in its own
 * transaction; one delivery per subscribed endpoint and its first attempt's job commit with it.
 * Each attempt is a job of its own (`webhooks-deliver:<delivery>:<attempt>`), so an attempt is
 * made by one job, and the next is scheduled in the transaction recording this one.
 */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly db: Database,
    private readonly outbox: OutboxService,
    private readonly repo: WebhookRepository,
    private readonly sender: WebhookSender,
    private readonly metrics: WebhookMetrics,
  ) {}

  /**
   * Sends `payload` as event `eventType` to every enabled endpoint subscribed to it; with
   * `ownerFilter` (`apikey:<id>`), only to that owner's. Returns the message id.
   */
  async publish(
    tx: Tx,
    eventType: string,
    payload: Record<string, unknown>,
    ownerFilter?: string,
  ): Promise<string> {
    if (!NOTIFICATION_TYPE_PATTERN.test(eventType)) {
      throw new InvalidNotificationError(
        `Event type must be <lib>.<event>, got ${eventType}`,
        'eventType',
      );
    }
    const message = { id: newId(), eventType, payload, ownerFilter };
    await this.repo.insertMessage(tx, message);
    for (const deliveryId of await this.repo.fanOut(tx, message)) {
      await this.enqueue(tx, deliveryId, 0);
    }

    return message.id;
  }

  async create(
    principal: Principal,
    body: CreateWebhookEndpointDto,
  ): Promise<CreatedWebhookEndpointDto> {
    const endpoint = await this.repo.insertEndpoint(this.db.manager, {
      id: newId(),
      owner: principalKey(principal),
      url: body.url,
      eventTypes: body.eventTypes,
      secret: newWebhookSecret(),
    });

    return { ...toEndpointDto(endpoint), secret: endpoint.secret };
  }

  async list(principal: Principal): Promise<WebhookEndpointDto[]> {
    return (await this.repo.endpoints(this.db.manager, ownerScope(principal))).map(toEndpointDto);
  }

  async get(principal: Principal, id: string): Promise<WebhookEndpointDto> {
    return toEndpointDto(await this.owned(this.db.manager, principal, id));
  }

  update(
    principal: Principal,
    id: string,
    body: UpdateWebhookEndpointDto,
  ): Promise<WebhookEndpointDto> {
    return this.db.transaction(undefined, async (tx) => {
      await this.owned(tx, principal, id, true);

      return toEndpointDto(await this.repo.updateEndpoint(tx, id, body));
    });
  }

  /** A new secret; the previous one keeps signing (beside it) for a day. */
  rotate(principal: Principal, id: string): Promise<WebhookSecretDto> {
    return this.db.transaction(undefined, async (tx) => {
      await this.owned(tx, principal, id, true);
      const secret = newWebhookSecret();
      await this.repo.rotateSecret(tx, id, secret, new Date(Date.now() + ROTATION_GRACE_MS));

      return { secret };
    });
  }

  /** Sends the endpoint's events of a time window again (each with its original webhook-id). */
  replay(principal: Principal, id: string, body: ReplayDto): Promise<ReplayResultDto> {
    const since = new Date(body.since);
    const until = new Date(body.until);
    if (until <= since) {
      throw new InvalidWindowError();
    }

    return this.db.transaction(undefined, async (tx) => {
      const endpoint = await this.owned(tx, principal, id, true);
      const reopened = await this.repo.reopenWindow(tx, endpoint, since, until, REPLAY_LIMIT);
      for (const delivery of reopened) {
        await this.enqueue(tx, delivery.id, delivery.attempts);
      }

      return { queued: reopened.length };
    });
  }

  resend(principal: Principal, deliveryId: string): Promise<WebhookDeliveryDto> {
    return this.db.transaction(undefined, async (tx) => {
      const found = await this.repo.delivery(tx, deliveryId);
      if (!found) {
        throw new WebhookNotFoundError('delivery', deliveryId);
      }
      await this.owned(tx, principal, found.endpointId);
      const delivery = (await this.repo.reopen(tx, deliveryId))!;
      await this.enqueue(tx, delivery.id, delivery.attempts);

      return toDeliveryDto({ ...delivery, attemptLog: [] });
    });
  }

  async deliveries(
    principal: Principal,
    id: string,
    query: DeliveryQueryDto,
  ): Promise<DeliveryPageDto> {
    await this.owned(this.db.manager, principal, id);
    const page = pageOf(query);
    const found = await this.repo.deliveries(this.db.manager, id, page);
    const shown = found.slice(0, page.limit);

    return {
      deliveries: shown.map(toDeliveryDto),
      nextCursor: found.length > page.limit ? shown.at(-1)!.id : undefined,
    };
  }

  /**
   * The deliver job: makes attempt `attempt` unless another run did, records it, and schedules
   * the next one (Retry-After when the endpoint gave one, else the schedule with jitter). The
   * delivery stays locked while the endpoint answers, so a duplicate job waits and then finds
   * the attempt made.
   */
  deliver(job: DeliverJob): Promise<DeliverOutcome> {
    return this.db.transaction(undefined, async (tx) => {
      const due = await this.repo.lockDue(tx, job.deliveryId, job.attempt);
      if (!due) {
        return 'stale';
      }
      if (!due.endpoint.enabled) {
        const at = { attempt: job.attempt, latencyMs: 0, error: 'endpoint disabled' };
        await this.repo.recordAttempt(tx, job.deliveryId, at, 'failed');

        return 'failed';
      }
      const result = await this.send(due);
      if (job.attempt === 0) {
        this.metrics.recordFirstAttempt((Date.now() - due.message.createdAt.getTime()) / 1000);
      }
      const ok = result.status !== undefined && result.status >= 200 && result.status < 300;
      this.metrics.recordAttempt(ok);
      const state = await this.settle(tx, due, job.attempt, result, ok);
      await this.repo.recordAttempt(tx, job.deliveryId, { attempt: job.attempt, ...result }, state);

      return state;
    });
  }

  private send({ message, endpoint }: DueDelivery): Promise<SendResult> {
    const body = JSON.stringify({
      type: message.eventType,
      timestamp: message.createdAt.toISOString(),
      data: message.payload,
    });
    const secrets = [endpoint.secret];
    if (endpoint.previousSecret && endpoint.previousExpiresAt! > new Date()) {
      secrets.push(endpoint.previousSecret);
    }
    const timestamp = Math.floor(Date.now() / 1000);

    return this.sender.send(
      endpoint.url,
      signedHeaders(secrets, webhookId(message.id), timestamp, body),
      body,
    );
  }

  /** The delivery's state after this attempt; disables the endpoint and schedules a retry. */
  private async settle(
    tx: Tx,
    { endpoint, delivery }: DueDelivery,
    attempt: number,
    result: SendResult,
    ok: boolean,
  ): Promise<DeliveryState> {
    if (ok) {
      await this.repo.markSucceeded(tx, endpoint.id);

      return 'succeeded';
    }
    if (result.status === 410) {
      await this.repo.disable(tx, endpoint.id, 'answered 410 Gone');

      return 'failed';
    }
    const health = await this.repo.markFailed(tx, endpoint.id);
    if (failingTooLong(health)) {
      await this.repo.disable(tx, endpoint.id, 'failing for 5 days');

      return 'failed';
    }
    if (attempt >= RETRY_DELAYS_MS.length) {
      return 'failed';
    }
    const delayMs =
      result.retryAfterSeconds !== undefined
        ? Math.min(result.retryAfterSeconds * 1000, MAX_RETRY_AFTER_MS)
        : jittered(RETRY_DELAYS_MS[attempt]!);
    await this.enqueue(tx, delivery.id, attempt + 1, delayMs);

    return 'pending';
  }

  private async enqueue(
    tx: Tx,
    deliveryId: string,
    attempt: number,
    delayMs?: number,
  ): Promise<void> {
    await this.outbox.enqueue<DeliverJob>(tx, {
      queue: WEBHOOKS_QUEUE,
      name: WebhooksJob.Deliver,
      jobId: deliverJobId(deliveryId, attempt),
      payload: { deliveryId, attempt },
      delayMs,
    });
  }

  /** The endpoint, if the caller may manage it (its owner, or an admin). */
  private async owned(
    tx: Tx,
    principal: Principal,
    id: string,
    lock = false,
  ): Promise<WebhookEndpoint> {
    const endpoint = await this.repo.endpoint(tx, id, lock);
    const scope = ownerScope(principal);
    if (!endpoint || (scope !== undefined && endpoint.owner !== scope)) {
      throw new WebhookNotFoundError('endpoint', id);
    }

    return endpoint;
  }
}

/** Admins manage every endpoint; an API key (or any other caller) only its own. */
const ownerScope = (principal: Principal): string | undefined =>
  principal.kind === 'user' && principal.role === 'admin' ? undefined : principalKey(principal);

const failingTooLong = (endpoint: WebhookEndpoint): boolean =>
  endpoint.failingSince !== undefined &&
  Date.now() - endpoint.failingSince.getTime() >= DISABLE_AFTER_FAILING_MS;
