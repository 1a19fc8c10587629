import { APP_CONFIG } from '@bourse/platform';
import { Inject, Injectable } from '@nestjs/common';
import {
  createConfiguration,
  DefaultApi,
  Notification as OneSignalNotification,
  ServerConfiguration,
} from '@onesignal/node-onesignal';
import type { NotificationsAppConfig } from './notifications.config';
import type { Notification } from './notifications.types';

/** OneSignal answered 200 but reached nobody: a failure (retried), not a success. */
export class PushNotDeliveredError extends Error {}

/**
 * Push through OneSignal's REST API (its official SDK), to the user's devices by alias:
 * `include_aliases.external_id` is our user id, which the app sets with `OneSignal.login(userId)`.
 */
@Injectable()
export class PushSender {
  private readonly api: DefaultApi;

  constructor(@Inject(APP_CONFIG) private readonly config: NotificationsAppConfig) {
    const { oneSignal } = config.notifications;
    this.api = new DefaultApi(
      createConfiguration({
        restApiKey: oneSignal.restApiKey,
        baseServer: new ServerConfiguration(oneSignal.apiUrl.replace(/\/$/, ''), {}),
      }),
    );
  }

  /**
   * The notification's id is OneSignal's `idempotency_key`: a job retried after OneSignal
   * accepted the first request (its answer lost) gets the same notification back, and no second
   * push is sent. Returns OneSignal's notification id.
   */
  async send(notification: Notification): Promise<string> {
    const request = new OneSignalNotification();
    request.app_id = this.config.notifications.oneSignal.appId;
    request.include_aliases = { external_id: [notification.userId] };
    request.target_channel = 'push';
    request.headings = { en: notification.title };
    request.contents = { en: notification.body };
    request.data = {
      ...notification.data,
      notificationId: notification.id,
      type: notification.type,
    };
    request.idempotency_key = notification.id;
    const answer = await this.api.createNotification(request);
    const errors = answer.errors as { invalid_aliases?: unknown } | string[] | undefined;
    if (!answer.id || (errors && !Array.isArray(errors) && errors.invalid_aliases)) {
      throw new PushNotDeliveredError(
        `OneSignal reached no device: ${JSON.stringify(errors ?? 'no id')}`,
      );
    }

    return answer.id;
  }
}
