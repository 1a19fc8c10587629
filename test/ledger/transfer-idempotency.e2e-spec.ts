import { AccountsService } from '@bourse/ledger';
import { Database, rows } from '@bourse/platform';
import { randomUUID } from 'node:crypto';
import { ownerId, signedInUser, type SignedInUser } from '../factories/users';
import { startApi, type TestServer } from '../setup/apps';
import { holdOpen, keyLockSeen } from '../setup/locks';

/** Transfers and batches with an Idempotency-Key: the key commits with what the call moved. */
describe('ledger transfers with an Idempotency-Key', () => {
  let api: TestServer;
  let db: Database;
  let admin: SignedInUser;
  let houseId: string;

  const post = (path: string, body: unknown, key?: string) =>
    api.request('POST', path, {
      token: admin.accessToken,
      body,
      headers: key ? { 'idempotency-key': key } : {},
    });

  const transferBody = (debitAccountId: string, creditAccountId: string, amount: string) => ({
    id: randomUUID(),
    debitAccountId,
    creditAccountId,
    amount,
    asset: 'USD',
    code: 'test.idem_once',
  });

  async function wallet(fund?: string): Promise<string> {
    const opened = await post('/v1/ledger/accounts', {
      asset: 'USD',
      owner: await ownerId(db),
      kind: 'user_wallet',
    });
    if (fund) {
      expect(
        (await post('/v1/ledger/transfers', transferBody(houseId, opened.body.id, fund))).status,
      ).toBe(201);
    }

    return opened.body.id as string;
  }

  const storedKeys = (key: string) =>
    rows<{ response_status: number }>(
      db.manager,
      `SELECT response_status FROM idempotency_keys WHERE key = $1`,
      [key],
    );

  /**
   * Sends `body` with `key`: the call waits, key locked, on the balance row of `wallet` held by
   * the test while `meanwhile` runs, and is answered after.
   */
  async function whileFirstWaits<T>(
    path: string,
    body: unknown,
    key: string,
    wallet: string,
    meanwhile: () => Promise<T>,
  ) {
    const release = await holdOpen(db, (tx) =>
      rows(tx, `SELECT 1 FROM ledger_balances WHERE account_id = $1 FOR UPDATE`, [wallet]),
    );
    const first = post(path, body, key);
    await keyLockSeen(db, `user:${admin.id}`, key);
    const during = await meanwhile();
    await release();

    return { first: await first, during };
  }

  /** The same request twice: the second arrives while the first waits (whileFirstWaits). */
  async function duplicateWhileFirstWaits(
    path: string,
    body: unknown,
    key: string,
    wallet: string,
  ) {
    const { first, during } = await whileFirstWaits(path, body, key, wallet, () =>
      post(path, body, key),
    );

    return { first, duplicate: during };
  }

  beforeAll(async () => {
    api = await startApi();
    db = api.app.get(Database);
    admin = await signedInUser(api, { role: 'admin' });
    houseId = (await api.app.get(AccountsService).ensureSystemAccount('house', 'USD')).id;
  });
  afterAll(() => api.close());

  it('replays the response stored with the transfer, as it was, after the transfer changed', async () => {
    const to = await wallet();
    const key = randomUUID();
    const body = { ...transferBody(houseId, to, '250'), pending: true, timeoutSeconds: 600 };

    const first = await post('/v1/ledger/transfers', body, key);
    const voided = await post(`/v1/ledger/transfers/${body.id}/void`, {});
    const replay = await post('/v1/ledger/transfers', body, key);

    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ status: 'pending', amount: '250', timeoutSeconds: 600 });
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(voided.body.status).toBe('voided');
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    // Stored by SQL (ledger_transfer_json), sent first by toTransferDto: the two agree.
    expect(replay.body).toEqual(first.body);
    expect(await storedKeys(key)).toEqual([{ response_status: 201 }]);
  });

  it('sends the stored bytes first and on every replay, on both keyed routes', async () => {
    const to = await wallet();
    const send = async (path: string, body: unknown, key: string) => {
      const res = await fetch(`${api.url}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${admin.accessToken}`,
          'content-type': 'application/json',
          'idempotency-key': key,
        },
        body: JSON.stringify(body),
      });

      return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
    };
    // Metadata whose keys jsonb would reorder.
    const single = {
      ...transferBody(houseId, to, '12'),
      metadata: { zz: 1, a: { y: 'ü', b: null } },
    };
    const batch = { transfers: [transferBody(houseId, to, '13')] };
    for (const [path, body] of [
      ['/v1/ledger/transfers', single],
      ['/v1/ledger/transfers/batch', batch],
    ] as const) {
      const key = randomUUID();
      const first = await send(path, body, key);
      const replay = await send(path, body, key);
      expect(first.status).toBeLessThan(300);
      expect(replay.status).toBe(first.status);
      expect(replay.bytes.equals(first.bytes)).toBe(true);
    }
    const stored = await send('/v1/ledger/transfers', single, randomUUID());
    // The transfer route's JSON is the DTO's: its fields in order, absent ones left out.
    expect(Object.keys(JSON.parse(stored.bytes.toString()) as object)).toEqual([
      'id',
      'debitAccountId',
      'creditAccountId',
      'asset',
      'amount',
      'postedAmount',
      'code',
      'metadata',
      'status',
      'pending',
      'createdAt',
      'postedAt',
    ]);
  });

  it('keeps the keys of two API keys apart when they send the same key string', async () => {
    const apiKey = async (): Promise<string> => {
      const res = await api.request('POST', '/v1/admin/api-keys', {
        token: admin.accessToken,
        body: { name: 'psp', scopes: ['ledger'] },
      });

      return `ApiKey ${res.body.key as string}`;
    };
    const [first, second] = [await apiKey(), await apiKey()];
    const to = await wallet();
    const key = randomUUID();
    const send = (token: string, amount: string) =>
      api.request('POST', '/v1/ledger/transfers', {
        token,
        body: transferBody(houseId, to, amount),
        headers: { 'idempotency-key': key },
      });

    const a = await send(first, '3');
    const b = await send(second, '4');
    const aAgain = await send(first, '3');

    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    expect(b.body.amount).toBe('4');
    expect(aAgain.status).toBe(422);
    expect(aAgain.body.code).toBe('idempotency.key_mismatch');
    expect(
      (await api.request('GET', `/v1/ledger/accounts/${to}`, { token: admin.accessToken })).body
        .balance.posted,
    ).toBe('7');
  });

  it('refuses the key with another body (422) or on another route (422)', async () => {
    const to = await wallet();
    const key = randomUUID();
    expect((await post('/v1/ledger/transfers', transferBody(houseId, to, '10'), key)).status).toBe(
      201,
    );

    const otherBody = await post('/v1/ledger/transfers', transferBody(houseId, to, '11'), key);
    const otherRoute = await post(
      '/v1/ledger/transfers/batch',
      { transfers: [transferBody(houseId, to, '10')] },
      key,
    );

    expect(otherBody.status).toBe(422);
    expect(otherBody.body.code).toBe('idempotency.key_mismatch');
    expect(otherRoute.status).toBe(422);
    expect(otherRoute.body.code).toBe('idempotency.key_mismatch');
  });

  it('answers a duplicate arriving while the first still runs with 409, then replays', async () => {
    const to = await wallet();
    const key = randomUUID();
    const body = transferBody(houseId, to, '30');

    const { first, duplicate } = await duplicateWhileFirstWaits(
      '/v1/ledger/transfers',
      body,
      key,
      to,
    );

    expect(duplicate.status).toBe(409);
    expect(duplicate.body.code).toBe('idempotency.request_in_progress');
    expect(first.status).toBe(201);
    const retry = await post('/v1/ledger/transfers', body, key);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body).toEqual(first.body);
  });

  it('undoes the transfer when a key is stored without its lock between its lookup and its store', async () => {
    const to = await wallet();
    const key = randomUUID();
    const body = transferBody(houseId, to, '30');
    // The call has looked the key up (free) and waits; meanwhile a writer that takes no lock
    // (none of ours does) commits the key.
    const { first: answer } = await whileFirstWaits('/v1/ledger/transfers', body, key, to, () =>
      rows(
        db.manager,
        `INSERT INTO idempotency_keys
                (scope, key, method, path, request_hash, response_status, expires_at)
         VALUES ($1, $2, 'POST', '/v1/ledger/transfers/batch', 'other', 200,
                 now() + interval '1 hour')`,
        [`user:${admin.id}`, key],
      ),
    );

    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe('idempotency.request_in_progress');
    expect(
      (await api.request('GET', `/v1/ledger/transfers/${body.id}`, { token: admin.accessToken }))
        .status,
    ).toBe(404);
    expect(
      (await api.request('GET', `/v1/ledger/accounts/${to}`, { token: admin.accessToken })).body
        .balance.posted,
    ).toBe('0');
    expect(await storedKeys(key)).toEqual([{ response_status: 200 }]);
  });

  it('leaves the key free when the transfer is refused, so a retry runs once the cause is gone', async () => {
    const from = await wallet();
    const to = await wallet();
    const key = randomUUID();
    const body = transferBody(from, to, '500');

    const refused = await post('/v1/ledger/transfers', body, key);
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('ledger.insufficient_funds');
    expect(await storedKeys(key)).toEqual([]);

    await post('/v1/ledger/transfers', transferBody(houseId, from, '500'));
    const retried = await post('/v1/ledger/transfers', body, key);
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect(
      (await api.request('GET', `/v1/ledger/accounts/${to}`, { token: admin.accessToken })).body
        .balance.posted,
    ).toBe('500');
  });

  it('answers an id that already exists by the ledger, storing no key', async () => {
    const to = await wallet();
    const body = transferBody(houseId, to, '40');
    expect((await post('/v1/ledger/transfers', body)).status).toBe(201);
    const key = randomUUID();

    const again = await post('/v1/ledger/transfers', body, key);

    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ id: body.id, amount: '40' });
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    expect(await storedKeys(key)).toEqual([]);
  });

  it('stores a batch key in the batch transaction and replays its results', async () => {
    const to = await wallet();
    const key = randomUUID();
    const body = { transfers: [transferBody(houseId, to, '7'), transferBody(houseId, to, '8')] };

    const first = await post('/v1/ledger/transfers/batch', body, key);
    const replay = await post('/v1/ledger/transfers/batch', body, key);

    expect(first.status).toBe(200);
    expect(first.body.results.map((r: any) => r.result)).toEqual(['created', 'created']);
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(await storedKeys(key)).toEqual([{ response_status: 200 }]);
    const account = await api.request('GET', `/v1/ledger/accounts/${to}`, {
      token: admin.accessToken,
    });
    expect(account.body.balance.posted).toBe('15');
  });

  it('answers a batch duplicate arriving while the first still runs with 409', async () => {
    const to = await wallet();
    const key = randomUUID();
    const body = { transfers: [transferBody(houseId, to, '9')] };

    const { first, duplicate } = await duplicateWhileFirstWaits(
      '/v1/ledger/transfers/batch',
      body,
      key,
      to,
    );

    expect(duplicate.status).toBe(409);
    expect(duplicate.body.code).toBe('idempotency.request_in_progress');
    expect(first.status).toBe(200);
    expect(await storedKeys(key)).toEqual([{ response_status: 200 }]);
  });

  it('replays keyed account openings, posts and voids, storing each key with its change', async () => {
    const key = randomUUID();
    const account = { asset: 'USD', owner: await ownerId(db), kind: 'user_wallet' };
    const opened = await post('/v1/ledger/accounts', account, key);
    const openedAgain = await post('/v1/ledger/accounts', account, key);
    expect(opened.status).toBe(201);
    expect(openedAgain.headers.get('idempotent-replayed')).toBe('true');
    expect(openedAgain.body).toEqual(opened.body);
    const to = opened.body.id as string;

    const holds = [randomUUID(), randomUUID()];
    for (const id of holds) {
      const hold = { ...transferBody(houseId, to, '50'), id, pending: true, timeoutSeconds: 600 };
      expect((await post('/v1/ledger/transfers', hold)).status).toBe(201);
    }
    const [postKey, voidKey] = [randomUUID(), randomUUID()];
    const posted = await post(`/v1/ledger/transfers/${holds[0]}/post`, { amount: '20' }, postKey);
    const postedAgain = await post(
      `/v1/ledger/transfers/${holds[0]}/post`,
      { amount: '20' },
      postKey,
    );
    const voided = await post(`/v1/ledger/transfers/${holds[1]}/void`, {}, voidKey);
    const voidedAgain = await post(`/v1/ledger/transfers/${holds[1]}/void`, {}, voidKey);

    expect(posted.status).toBe(200);
    expect(posted.body).toMatchObject({ status: 'posted', postedAmount: '20' });
    expect(postedAgain.headers.get('idempotent-replayed')).toBe('true');
    expect(postedAgain.body).toEqual(posted.body);
    expect(voided.body.status).toBe('voided');
    expect(voidedAgain.headers.get('idempotent-replayed')).toBe('true');
    expect(voidedAgain.body).toEqual(voided.body);
    for (const [k, status] of [
      [key, 201],
      [postKey, 200],
      [voidKey, 200],
    ] as const) {
      expect(await storedKeys(k)).toEqual([{ response_status: status }]);
    }
    expect(
      (await api.request('GET', `/v1/ledger/accounts/${to}`, { token: admin.accessToken })).body
        .balance.posted,
    ).toBe('20');
  });

  it('takes over a key that has expired but is not purged yet', async () => {
    const to = await wallet();
    const key = randomUUID();
    expect((await post('/v1/ledger/transfers', transferBody(houseId, to, '5'), key)).status).toBe(
      201,
    );
    await rows(db.manager, `UPDATE idempotency_keys SET expires_at = now() WHERE key = $1`, [key]);

    const reused = await post('/v1/ledger/transfers', transferBody(houseId, to, '6'), key);

    expect(reused.status).toBe(201);
    expect(reused.headers.get('idempotent-replayed')).toBeNull();
    expect(
      (await api.request('GET', `/v1/ledger/accounts/${to}`, { token: admin.accessToken })).body
        .balance.posted,
    ).toBe('11');
  });
});
