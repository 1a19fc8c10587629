import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AlertStreamHub } from './alert-stream-hub.service';
import type { AlertEventDto } from './dto/alert-event.dto';

const HEARTBEAT_MS = 15_000;

/** The seq a Server-Sent Events client resumes after: its `Last-Event-ID`, else `after`. */
export function sseResumePoint(lastEventId: string | string[] | undefined, after?: number): number {
  const header = Array.isArray(lastEventId) ? lastEventId[0] : lastEventId;

  return header !== undefined && /^\d{1,15}$/.test(header.trim()) ? Number(header) : (after ?? 0);
}

/**
 * Streams a user's events as Server-Sent Events on a raw response: each event's `id` is its seq,
 * so a browser's EventSource resumes with `Last-Event-ID` by itself. A comment line every 15 s
 * keeps proxies from closing an idle stream.
 */
export async function streamEvents(
  hub: AlertStreamHub,
  userId: string,
  from: number,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    // nginx would otherwise buffer the stream.
    'x-accel-buffering': 'no',
  });
  response.write('retry: 2000\n\n');
  const session = await hub.open(userId, from, {
    write: (event: AlertEventDto) =>
      response.write(`id: ${event.seq}\nevent: alert\ndata: ${JSON.stringify(event)}\n\n`),
  });
  const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), HEARTBEAT_MS);
  const end = (): void => {
    clearInterval(heartbeat);
    hub.close(session);
  };
  if (request.destroyed || response.destroyed) {
    end();
  } else {
    request.on('close', end);
  }
}
