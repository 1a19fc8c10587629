import { AuthService, socketAuthMiddleware } from '@bourse/platform';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { signedInUser, type SignedInUser } from '../factories/users';
import { startApi, type TestServer } from '../setup/apps';

type Outcome =
  { connected: true; principal: unknown } | { connected: false; message: string; data: unknown };

describe('Socket.IO handshake authentication', () => {
  let api: TestServer;
  let http: HttpServer;
  let io: Server;
  let url: string;
  let user: SignedInUser;
  const clients: ClientSocket[] = [];

  beforeAll(async () => {
    api = await startApi();
    user = await signedInUser(api);
    http = createServer();
    io = new Server(http);
    const auth = api.app.get(AuthService);
    io.of('/required').use(socketAuthMiddleware(auth, { required: true }));
    io.of('/optional').use(socketAuthMiddleware(auth, { required: false }));
    for (const namespace of [io.of('/required'), io.of('/optional')]) {
      namespace.on('connection', (socket) => {
        socket.on('whoami', (ack: (principal: unknown) => void) =>
          ack(socket.data.principal ?? null),
        );
      });
    }
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    clients.forEach((client) => client.disconnect());
    await io.close();
    await api.close();
  });

  /** Connects, then asks the server which principal the handshake produced. */
  async function handshake(
    namespace: string,
    options: { token?: string; authorization?: string } = {},
  ): Promise<Outcome> {
    const client = connect(`${url}${namespace}`, {
      auth: options.token === undefined ? {} : { token: options.token },
      extraHeaders: options.authorization ? { authorization: options.authorization } : {},
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    clients.push(client);

    return new Promise((resolve) => {
      client.on('connect', () => {
        void client
          .emitWithAck('whoami')
          .then((principal: unknown) => resolve({ connected: true, principal }));
      });
      client.on('connect_error', (error: Error & { data?: unknown }) =>
        resolve({ connected: false, message: error.message, data: error.data }),
      );
    });
  }

  it('connects with an access token in auth.token and exposes the principal', async () => {
    expect(await handshake('/required', { token: user.accessToken })).toEqual({
      connected: true,
      principal: { kind: 'user', userId: user.id, role: 'user', sessionId: expect.any(String) },
    });
  });

  it('accepts the same token in the authorization header', async () => {
    const outcome = await handshake('/required', { authorization: `Bearer ${user.accessToken}` });
    expect(outcome).toMatchObject({ connected: true, principal: { userId: user.id } });
  });

  it('accepts an API key', async () => {
    const admin = await signedInUser(api, { role: 'admin' });
    const created = await api.request('POST', '/v1/admin/api-keys', {
      token: admin.accessToken,
      body: { name: 'feed', scopes: ['prices'] },
    });
    expect(await handshake('/required', { token: `ApiKey ${created.body.key}` })).toEqual({
      connected: true,
      principal: { kind: 'apiKey', apiKeyId: created.body.id, scopes: ['prices'] },
    });
  });

  it('rejects a bad token with its problem code', async () => {
    expect(await handshake('/required', { token: 'garbage' })).toEqual({
      connected: false,
      message: 'Invalid access token',
      data: { code: 'auth.invalid_token', status: 401 },
    });
  });

  it('rejects a missing token when required', async () => {
    expect(await handshake('/required')).toMatchObject({
      connected: false,
      data: { code: 'auth.unauthenticated', status: 401 },
    });
  });

  it('lets anonymous clients in when optional, but still refuses bad tokens', async () => {
    expect(await handshake('/optional')).toEqual({ connected: true, principal: null });
    expect(await handshake('/optional', { token: user.accessToken })).toMatchObject({
      connected: true,
      principal: { userId: user.id },
    });
    expect(await handshake('/optional', { token: 'garbage' })).toMatchObject({
      connected: false,
      data: { code: 'auth.invalid_token' },
    });
  });
});
