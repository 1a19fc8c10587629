export const DELIVERY_STATES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export interface WebhookEndpoint {
  id: string;
  /** Who manages it: `apikey:<id>` (a partner's key) or `user:<id>` (an admin). */
  owner: string;
  url: string;
  eventTypes: string[];
  secret: string;
  previousSecret?: string;
  previousExpiresAt?: Date;
  enabled: boolean;
  disabledReason?: string;
  failingSince?: Date;
  createdAt: Date;
}

export interface WebhookMessage {
  id: string;
  eventType: string;
  payload: Record<string, unknown>;
  createdAt: Date;
}

export interface WebhookAttempt {
  attempt: number;
  at: Date;
  status?: number;
  latencyMs: number;
  response?: string;
  error?: string;
}

export interface WebhookDelivery {
  id: string;
  messageId: string;
  endpointId: string;
  eventType: string;
  state: DeliveryState;
  attempts: number;
  createdAt: Date;
  settledAt?: Date;
}

/**
 * Svix's schedule: the first attempt at once, then after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and
 * 10 h: eight attempts over about 28 hours. Each delay gets ±20 % jitter.
 */
export const RETRY_DELAYS_MS = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
];

/** An endpoint failing (no success) this long is disabled. */
export const DISABLE_AFTER_FAILING_MS = 5 * 24 * 3_600_000;

/** After a rotation the previous secret keeps signing this long. */
export const ROTATION_GRACE_MS = 24 * 3_600_000;

/** Retry-After is honoured up to the schedule's longest wait. */
export const MAX_RETRY_AFTER_MS = 10 * 3_600_000;

/** The `webhook-id` header of a message: stable across attempts, resends and replays. */
export const webhookId = (messageId: string): string => `msg_${messageId}`;
