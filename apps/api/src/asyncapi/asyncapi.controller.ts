import { Public } from '@bourse/platform';
import { Controller, Get } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ASYNCAPI_DOCUMENT } from './asyncapi.document';

/** The AsyncAPI 3 document of the Socket.IO namespaces, beside /openapi.json (REST). */
@ApiExcludeController()
@Public()
@Controller()
export class AsyncApiController {
  @Get('asyncapi.json')
  document(): Record<string, unknown> {
    return ASYNCAPI_DOCUMENT;
  }
}
