import { Catch, Logger, type ArgumentsHost, type WsExceptionFilter } from '@nestjs/common';
import { DomainError } from '../errors/domain.error';
import { socketRefusal } from './socket-errors';

/**
 * `@UseFilters(SocketExceptionFilter)` on a gateway: an error thrown by a handler answers its ack
 * with `{ ok: false, error: { code, message } }` (`internal` without detail for an unexpected one,
 * which is logged). An event sent without an ack gets the same object as an `exception` event.
 */
@Catch()
export class SocketExceptionFilter implements WsExceptionFilter {
  private readonly logger = new Logger('SocketExceptionFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    if (!(error instanceof DomainError)) {
      this.logger.error({
        msg: 'socket event failed',
        event: host.switchToWs().getPattern(),
        err: error,
      });
    }
    const refusal = socketRefusal(error);
    // Nest passes a handler (socket, payload, ack?, pattern); the ack is the one function.
    const ack = host
      .getArgs()
      .find((arg): arg is (reply: unknown) => void => typeof arg === 'function');
    if (ack) {
      ack(refusal);
    } else {
      host
        .switchToWs()
        .getClient<{ emit(event: string, body: unknown): void }>()
        .emit('exception', refusal);
    }
  }
}
