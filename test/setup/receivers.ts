import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local HTTP server recording every request it answers (with `status`), for receivers below. */
export class HttpRecorder {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly requests: Received[],
  ) {}

  static async start(status = 200, answer = '{}'): Promise<HttpRecorder> {
    const received: Received[] = [];
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({
          method: request.method ?? '',
          url: request.url ?? '',
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        response.writeHead(status, { 'content-type': 'application/json' }).end(answer);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };

    return new HttpRecorder(server, `http://127.0.0.1:${port}`, received);
  }

  close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections(); // Keep-alive clients (fetch, exporters) would hold it open.

    return closed;
  }
}

/** One span as an OTLP/HTTP JSON export carries it (ids as hex). */
export interface OtlpSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
type OtlpAttribute = { key: string; value: OtlpValue };
interface OtlpExport {
  resourceSpans: {
    resource: { attributes: OtlpAttribute[] };
    scopeSpans: {
      spans: (Omit<OtlpSpan, 'attributes' | 'service'> & { attributes?: OtlpAttribute[] })[];
    }[];
  }[];
}

const valueOf = (value: OtlpValue): unknown =>
  value.stringValue ?? value.intValue ?? value.boolValue ?? value.doubleValue;
const attributesOf = (list: OtlpAttribute[] = []): Record<string, unknown> =>
  Object.fromEntries(list.map(({ key, value }) => [key, valueOf(value)]));

/** The spans an OTLP/HTTP receiver got on POST /v1/traces (JSON encoding, the exporter's). */
export function otlpSpans(receiver: HttpRecorder): OtlpSpan[] {
  return receiver.requests
    .filter((request) => request.url === '/v1/traces')
    .flatMap((request) => {
      if (!String(request.headers['content-type']).includes('json')) {
        throw new Error(`unexpected OTLP encoding ${request.headers['content-type']}`);
      }

      return (JSON.parse(request.body) as OtlpExport).resourceSpans.flatMap((resource) => {
        const service = String(attributesOf(resource.resource.attributes)['service.name']);

        return resource.scopeSpans.flatMap((scope) =>
          scope.spans.map((span) => ({
            service,
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId || undefined,
            name: span.name,
            kind: span.kind,
            attributes: attributesOf(span.attributes),
          })),
        );
      });
    });
}

/** The items of the Sentry envelopes (POST /api/<project>/envelope/) a receiver got. */
export function sentryEnvelopes(
  receiver: HttpRecorder,
): { header: Record<string, unknown>; items: { type: string; payload: any }[] }[] {
  return receiver.requests
    .filter((request) => /^\/api\/[^/]+\/envelope\/(\?|$)/.test(request.url))
    .map((request) => {
      const [header, ...lines] = request.body.split('\n').filter((line) => line.trim() !== '');
      const items: { type: string; payload: any }[] = [];
      for (let i = 0; i + 1 < lines.length; i += 2) {
        items.push({
          type: (JSON.parse(lines[i]!) as { type: string }).type,
          payload: JSON.parse(lines[i + 1]!),
        });
      }

      return { header: JSON.parse(header!) as Record<string, unknown>, items };
    });
}
