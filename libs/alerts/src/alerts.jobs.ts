export const ALERTS_QUEUE = 'alerts';

export enum AlertsJob {
  /** Publishes a fired event to the api nodes again, after the evaluator's own publish. */
  PublishLive = 'alerts.publish-live',
}

export interface PublishLiveJob {
  eventId: string;
}
