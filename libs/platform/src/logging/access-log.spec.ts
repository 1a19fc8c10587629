import type { DestinationStream } from 'pino';
import { loadConfig } from '../config/config';
import { AccessLog } from './access-log';
import { createLogger } from './logger';

function capture(level: string): {
  lines: string[];
  access: AccessLog;
  logger: ReturnType<typeof createLogger>;
} {
  const lines: string[] = [];
  const destination: DestinationStream = { write: (line: string) => void lines.push(line) };
  const logger = createLogger(loadConfig({ LOG_LEVEL: level }), 'api', destination);

  return { lines, access: new AccessLog(logger), logger };
}

describe('AccessLog', () => {
  beforeEach(() => jest.useFakeTimers({ now: Date.parse('2026-11-30T10:00:00.123Z') }));
  afterEach(() => jest.useRealTimers());

  const request = {
    requestId: 'edge-7f3a.01:retry-2',
    method: 'GET',
    url: '/v1/widgets/"odd"\\path\u2028',
    route: '/v1/widgets/:widgetId',
    status: 404,
    ms: 3,
  };

  it('writes the very line pino writes for the same fields through a request child', () => {
    const { lines, access, logger } = capture('info');
    const { requestId, ...fields } = request;
    logger.child({ requestId }).info(fields, 'request completed');
    access.completed(request);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe(lines[0]);
    expect(JSON.parse(lines[1])).toEqual({
      level: 'info',
      time: '2026-11-30T10:00:00.123Z',
      service: 'api',
      ...request,
      msg: 'request completed',
    });
  });

  it('honours the logger level, also when it changes at run time', () => {
    const { lines, access, logger } = capture('warn');
    access.completed(request);
    expect(lines).toEqual([]);
    logger.level = 'debug';
    access.completed(request);
    expect(lines).toHaveLength(1);
  });
});
