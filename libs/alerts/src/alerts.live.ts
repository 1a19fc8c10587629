import type { AlertEventDto } from './dto/alert-event.dto';

/** What the evaluator (and the publish-live job) publishes for the api nodes per fired event. */
export interface LiveEventMessage {
  userId: string;
  event: AlertEventDto;
}
