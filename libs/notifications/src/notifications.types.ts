/**
 * Where a notification can reach its user: `in_app` is the inbox row itself, the others are sent
 * by the worker, one job per channel.
 */
export const CHANNELS = ['in_app', 'email', 'push'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Channels the worker sends through (all but the inbox, which the commit itself delivers). */
export type SentChannel = Exclude<Channel, 'in_app'>;

/** `<lib>.<event>`, e.g. `orders.filled`: what the notification is about; picks its template. */
export const NOTIFICATION_TYPE_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/** What a domain lib sends. `data` is kept as given and rendered by the type's template. */
export interface NotifyInput {
  userId: string;
  type: string;
  title: string;
  body: string;
  data?: Record<string, unknown>;
  /** Only these channels (of those the user's preferences allow); every allowed one if absent. */
  channels?: readonly Channel[];
}

export interface Notification {
  id: string;
  userId: string;
  type: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  channels: Channel[];
  createdAt: Date;
  readAt?: Date;
}

/** A user's channels; one without a stored choice has every channel on. */
export type Preferences = Record<Channel, boolean>;

export const DEFAULT_PREFERENCES: Preferences = { in_app: true, email: true, push: true };
