import {
  hmacSha256Matches,
  InboxService,
  Webhook,
  WebhookPayload,
  type ReceiveResult,
  type WebhookVerifier,
} from '@bourse/platform';
import { Controller, Injectable, Module, Post } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsOptional, IsString, ValidateNested } from 'class-validator';
import type { IncomingHttpHeaders } from 'node:http';
import { createHmac } from 'node:crypto';

/** A provider as a lib would wire one: `POST /test/webhooks/test`, signed, into the inbox. */
export const TEST_WEBHOOK_PATH = '/test/webhooks/test';
export const SIGNATURE_HEADER = 'x-test-signature';
const SECRET = 'test-provider-signing-secret';

/** The test provider signs the body bytes it sends with HMAC-SHA256, hex in a header. */
export const sign = (body: string): string =>
  createHmac('sha256', SECRET).update(body).digest('hex');

@Injectable()
export class TestSignature implements WebhookVerifier {
  verify(rawBody: Buffer, headers: IncomingHttpHeaders): boolean {
    const signature = headers[SIGNATURE_HEADER];

    return typeof signature === 'string' && hmacSha256Matches(SECRET, rawBody, signature);
  }
}

class TestCustomerDto {
  @IsString() name!: string;
}

/** What we model of the test provider's event; it sends more. */
export class TestEventDto {
  @IsString() @IsNotEmpty() id!: string;
  @IsString() type!: string;
  /** The handler refuses the event on its first `failTimes` runs. */
  @IsOptional() @IsInt() failTimes?: number;
  @IsOptional() @ValidateNested() @Type(() => TestCustomerDto) customer?: TestCustomerDto;
}

@Controller('test/webhooks')
export class TestWebhookController {
  constructor(private readonly inbox: InboxService) {}

  @Post('test')
  @Webhook('test', TestSignature)
  receive(@WebhookPayload() event: TestEventDto): Promise<ReceiveResult> {
    return this.inbox.receive({
      provider: 'test',
      eventId: event.id,
      type: event.type,
      payload: event,
    });
  }
}

/** The api side of the test provider, for `startApi(env, [TestWebhookApiModule])`. */
@Module({ controllers: [TestWebhookController], providers: [TestSignature] })
export class TestWebhookApiModule {}
