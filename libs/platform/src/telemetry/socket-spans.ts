import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { context as otelContext, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { Observable } from 'rxjs';

// @nestjs/websockets' metadata key of @SubscribeMessage's event name.
const MESSAGE_METADATA = 'message';

/**
 * A server span per Socket.IO event a gateway handles (`socket <namespace> <event>`), so what
 * the handler does (Redis, Postgres) nests under it. Registered only when tracing is on; HTTP
 * requests pass through (they have @fastify/otel's span).
 */
@Injectable()
export class SocketTraceInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'ws') {
      return next.handle();
    }
    const socket = context.switchToWs().getClient<{ nsp?: { name: string }; id: string }>();
    const event =
      (Reflect.getMetadata(MESSAGE_METADATA, context.getHandler()) as string | undefined) ??
      context.getHandler().name;
    const namespace = socket.nsp?.name ?? '/';
    const span = trace.getTracer('bourse-socket').startSpan(`socket ${namespace} ${event}`, {
      kind: SpanKind.SERVER,
      attributes: {
        'messaging.system': 'socket.io',
        'messaging.destination.name': namespace,
        'messaging.operation.name': event,
        'socket.id': socket.id,
      },
    });
    const active = trace.setSpan(otelContext.active(), span);

    // The handler runs when Nest subscribes: subscribe inside the span's context.
    return new Observable((subscriber) =>
      otelContext.with(active, () =>
        next.handle().subscribe({
          next: (value) => subscriber.next(value),
          error: (error: unknown) => {
            span.recordException(error as Error);
            span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
            span.end();
            subscriber.error(error);
          },
          complete: () => {
            span.end();
            subscriber.complete();
          },
        }),
      ),
    );
  }
}
