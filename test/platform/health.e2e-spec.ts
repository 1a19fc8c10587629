import { startApi, type TestServer } from '../setup/apps';

describe('health and metrics', () => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(() => api.close());

  it('answers liveness without touching dependencies', async () => {
    const res = await api.request('GET', '/health/live');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('reports Postgres and Redis as up when ready', async () => {
    const res = await api.request('GET', '/health/ready');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(Object.keys(res.body.details)).toEqual(expect.arrayContaining(['postgres', 'redis']));
  });

  it('answers an unknown route with a 404 problem document', async () => {
    const res = await api.request('GET', '/v1/nowhere');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 404, title: 'Not Found', instance: '/v1/nowhere' });
    expect(res.body.requestId).toBe(res.headers.get('x-request-id'));
  });
});
