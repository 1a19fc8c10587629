import { pricesAsyncApi } from '@bourse/market-data';
import { Public } from '@bourse/platform';
import { Controller, Get } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

/** The AsyncAPI 3 document of the Socket.IO namespaces, beside /openapi.json (REST). */
export const ASYNCAPI_DOCUMENT = pricesAsyncApi('1');

@ApiExcludeController()
@Public()
@Controller()
export class AsyncApiController {
  @Get('asyncapi.json')
  document(): Record<string, unknown> {
    return ASYNCAPI_DOCUMENT;
  }
}
