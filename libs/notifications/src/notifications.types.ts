/**
 * Where a notification can reach its user: `in_app` is the inbox row itself, the others are sent
 * by the worker, one job per channel.
 */
export const CHANNELS = ['in_app', 'email', 'push', 'sms'] as const;
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
  /**
   * Sent over exactly these channels, whatever the user's preferences: for what the user asked
   * for and cannot opt out of, such as a one-time code by `sms`. Without it the preferences choose.
   */
  channels?: Channel[];
  /** Only these of the channels the user's preferences allow (an alert rule's own choice). */
  onlyChannels?: readonly Channel[];
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

/**
 * A user's channels and the number SMS go to; one without a stored choice has every channel on
 * but SMS, which costs per message and needs a number the user gave.
 */
export type Preferences = Record<Channel, boolean> & { phone?: string };

export const DEFAULT_PREFERENCES: Preferences = {
  in_app: true,
  email: true,
  push: true,
  sms: false,
};
