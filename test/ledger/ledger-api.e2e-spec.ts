import { AccountsService } from '@bourse/ledger';
import { randomUUID } from 'node:crypto';
import { signedInUser, type SignedInUser } from '../factories/users';
import { startApi, type TestServer } from '../setup/apps';

describe('ledger over HTTP', () => {
  let api: TestServer;
  let admin: SignedInUser;
  let alice: SignedInUser;
  let bob: SignedInUser;
  let houseId: string;

  const asAdmin = (method: string, path: string, body?: unknown) =>
    api.request(method, path, { token: admin.accessToken, body });

  /** A USD wallet of `user`, opened over HTTP and funded from the house with `fund` minor units. */
  async function wallet(user: SignedInUser, fund?: string): Promise<string> {
    const opened = await asAdmin('POST', '/v1/ledger/accounts', {
      asset: 'USD',
      owner: user.id,
      kind: 'user_wallet',
    });
    expect(opened.status).toBe(201);
    if (fund) {
      await transfer(houseId, opened.body.id, fund);
    }

    return opened.body.id as string;
  }

  async function transfer(
    debitAccountId: string,
    creditAccountId: string,
    amount: string,
    extra: Record<string, unknown> = {},
  ): Promise<any> {
    const res = await asAdmin('POST', '/v1/ledger/transfers', {
      id: randomUUID(),
      debitAccountId,
      creditAccountId,
      amount,
      asset: 'USD',
      code: 'test.deposit',
      ...extra,
    });
    expect(res.status).toBe(201);

    return res.body;
  }

  async function metric(line: string): Promise<number> {
    const text = (await api.metrics()).body;
    const found = text.split('\n').find((l) => l.startsWith(`${line} `));

    return found ? Number(found.split(' ').at(-1)) : 0;
  }

  beforeAll(async () => {
    api = await startApi();
    [admin, alice, bob] = await Promise.all([
      signedInUser(api, { role: 'admin' }),
      signedInUser(api),
      signedInUser(api),
    ]);
    houseId = (await api.app.get(AccountsService).ensureSystemAccount('house', 'USD')).id;
  });
  afterAll(() => api.close());

  describe('wallets', () => {
    it('lists the assets and their scales to anyone, without credentials', async () => {
      const res = await api.request('GET', '/v1/assets');

      expect(res.status).toBe(200);
      expect(res.body).toEqual(
        expect.arrayContaining([
          { code: 'USD', scale: 2, name: expect.any(String) },
          { code: 'XAU', scale: 3, name: expect.any(String) },
        ]),
      );
    });

    it("lists only the caller's wallets, with balances as strings and the asset's scale", async () => {
      const mine = await wallet(alice, '1250');
      await wallet(bob, '99');

      const res = await api.request('GET', '/v1/wallets', { token: alice.accessToken });

      expect(res.status).toBe(200);
      expect(res.body).toEqual([
        expect.objectContaining({
          id: mine,
          asset: 'USD',
          scale: 2,
          posted: '1250',
          pending: '0',
          available: '1250',
        }),
      ]);
    });

    it('pages a statement with the running balance, newest first, without gaps or repeats', async () => {
      const user = await signedInUser(api);
      const id = await wallet(user);
      for (const amount of ['100', '200', '300', '400', '500']) {
        await transfer(houseId, id, amount);
      }

      const seen: any[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const query = `?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const res = await api.request('GET', `/v1/wallets/${id}/entries${query}`, {
          token: user.accessToken,
        });
        expect(res.status).toBe(200);
        expect(res.body.entries.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.entries);
        cursor = res.body.nextCursor;
        pages += 1;
      } while (cursor);

      expect(pages).toBe(3);
      expect(seen.map((e) => [e.side, e.amount, e.balanceAfter])).toEqual([
        ['credit', '500', '1500'],
        ['credit', '400', '1000'],
        ['credit', '300', '600'],
        ['credit', '200', '300'],
        ['credit', '100', '100'],
      ]);
    });

    it('lists the holds on a wallet, in and out, to its owner only', async () => {
      const user = await signedInUser(api);
      const id = await wallet(user, '1000');
      const out = await transfer(id, houseId, '300', { pending: true, timeoutSeconds: 600 });
      const incoming = await transfer(houseId, id, '75', { pending: true });
      await transfer(id, houseId, '5');

      const holds = await api.request('GET', `/v1/wallets/${id}/holds`, {
        token: user.accessToken,
      });
      const paged = await api.request('GET', `/v1/wallets/${id}/holds?limit=1`, {
        token: user.accessToken,
      });
      const notTheirs = await api.request('GET', `/v1/wallets/${id}/holds`, {
        token: bob.accessToken,
      });
      const all = await asAdmin('GET', `/v1/ledger/accounts/${id}/transfers`);
      const pending = await asAdmin('GET', `/v1/ledger/accounts/${id}/transfers?status=pending`);
      const badStatus = await asAdmin('GET', `/v1/ledger/accounts/${id}/transfers?status=held`);

      expect(holds.status).toBe(200);
      expect(holds.body).toEqual({
        holds: [
          {
            transferId: incoming.id,
            side: 'credit',
            amount: '75',
            code: 'test.deposit',
            createdAt: incoming.createdAt,
          },
          {
            transferId: out.id,
            side: 'debit',
            amount: '300',
            code: 'test.deposit',
            createdAt: out.createdAt,
            timeoutAt: out.timeoutAt,
          },
        ],
      });
      expect(paged.body.holds).toHaveLength(1);
      expect(typeof paged.body.nextCursor).toBe('string');
      expect(notTheirs.status).toBe(404);
      expect(all.body.transfers).toHaveLength(4);
      expect(pending.body.transfers.map((t: any) => t.id)).toEqual([incoming.id, out.id]);
      expect(badStatus.status).toBe(400);
      expect(badStatus.body.errors).toEqual([expect.objectContaining({ field: 'status' })]);
    });

    it("answers someone else's account exactly like an unknown one (404, no leak)", async () => {
      // A user of its own: one wallet per user and asset.
      const dave = await signedInUser(api);
      const bobs = await wallet(dave, '10');
      const unknown = randomUUID();

      const theirs = await api.request('GET', `/v1/wallets/${bobs}/entries`, {
        token: alice.accessToken,
      });
      const missing = await api.request('GET', `/v1/wallets/${unknown}/entries`, {
        token: alice.accessToken,
      });

      expect(theirs.status).toBe(404);
      expect(theirs.headers.get('content-type')).toContain('application/problem+json');
      expect(theirs.body.code).toBe('ledger.account_not_found');
      // Identical but for the id the caller sent (echoed back) and the request id.
      const normalized = (body: any, id: string) =>
        JSON.stringify({ ...body, requestId: undefined }).replaceAll(id, 'ID');
      expect(normalized(theirs.body, bobs)).toEqual(normalized(missing.body, unknown));
    });

    it('refuses an invalid cursor and limit with 400s naming the problem', async () => {
      // A user of its own: one wallet per user and asset.
      const carol = await signedInUser(api);
      const id = await wallet(carol);
      const bad = await api.request('GET', `/v1/wallets/${id}/entries?cursor=abc`, {
        token: carol.accessToken,
      });
      const limit = await api.request('GET', `/v1/wallets/${id}/entries?limit=0`, {
        token: carol.accessToken,
      });

      expect(bad.body.code).toBe('ledger.invalid_cursor');
      expect(limit.status).toBe(400);
      expect(limit.body.errors).toEqual([expect.objectContaining({ field: 'limit' })]);
    });
  });

  describe('access', () => {
    const createKey = async (scopes: string[]): Promise<string> => {
      const res = await asAdmin('POST', '/v1/admin/api-keys', { name: 'ledger-spec', scopes });

      return `ApiKey ${res.body.key}`;
    };

    it('refuses users on admin routes (403) and lets admins and ledger-scoped keys in', async () => {
      // A user of its own: one wallet per user and asset.
      const carol = await signedInUser(api);
      const id = await wallet(carol);
      const ledgerKey = await createKey(['ledger']);
      const otherKey = await createKey(['kyc']);

      const asUser = await api.request('GET', `/v1/ledger/accounts/${id}`, {
        token: carol.accessToken,
      });
      const userTransfer = await api.request('POST', '/v1/ledger/transfers', {
        token: carol.accessToken,
        body: {
          id: randomUUID(),
          debitAccountId: houseId,
          creditAccountId: id,
          amount: '1000000',
          asset: 'USD',
          code: 'theft',
        },
      });
      const withScope = await api.request('GET', `/v1/ledger/accounts/${id}`, { token: ledgerKey });
      const withoutScope = await api.request('GET', `/v1/ledger/accounts/${id}`, {
        token: otherKey,
      });
      const keyOnWallets = await api.request('GET', '/v1/wallets', { token: ledgerKey });

      expect(asUser.status).toBe(403);
      expect(asUser.body.code).toBe('auth.forbidden');
      expect(userTransfer.status).toBe(403);
      expect(withScope.status).toBe(200);
      expect(withScope.body).toMatchObject({ id, owner: carol.id, balance: { posted: '0' } });
      expect(withoutScope.status).toBe(403);
      expect(keyOnWallets.status).toBe(403);
    });
  });

  describe('accounts', () => {
    it('creates idempotently by id and refuses the same id with other fields', async () => {
      const body = { id: randomUUID(), asset: 'EUR', owner: 'system:fees', kind: 'fees' };
      const first = await asAdmin('POST', '/v1/ledger/accounts', body);
      const again = await asAdmin('POST', '/v1/ledger/accounts', body);
      const other = await asAdmin('POST', '/v1/ledger/accounts', { ...body, asset: 'USD' });
      const unknownAsset = await asAdmin('POST', '/v1/ledger/accounts', {
        ...body,
        id: randomUUID(),
        asset: 'ZZZ',
      });

      expect(first.status).toBe(201);
      expect(again.body).toEqual(first.body);
      expect(other.status).toBe(409);
      expect(other.body.code).toBe('ledger.account_conflict');
      expect(unknownAsset.status).toBe(422);
      expect(unknownAsset.body.code).toBe('ledger.asset_not_found');
      expect((await asAdmin('GET', `/v1/ledger/accounts/${randomUUID()}`)).status).toBe(404);
    });

    it('freezes and unfreezes for admins: transfers get 422 and the owner sees it', async () => {
      const user = await signedInUser(api);
      const id = await wallet(user, '500');
      const freeze = (path: string, token = admin.accessToken) =>
        api.request('POST', `/v1/ledger/accounts/${path}`, { token });

      const frozen = await freeze(`${id}/freeze`);
      const refused = await asAdmin('POST', '/v1/ledger/transfers', {
        id: randomUUID(),
        debitAccountId: id,
        creditAccountId: houseId,
        amount: '100',
        asset: 'USD',
        code: 'test.withdrawal',
      });
      const seen = await api.request('GET', '/v1/wallets', { token: user.accessToken });
      const byUser = await freeze(`${id}/unfreeze`, user.accessToken);
      const unknown = await freeze(`${randomUUID()}/freeze`);
      const unfrozen = await freeze(`${id}/unfreeze`);

      expect(frozen.status).toBe(200);
      expect(frozen.body).toMatchObject({ id, frozenAt: expect.any(String) });
      expect(refused.status).toBe(422);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.body).toMatchObject({ code: 'ledger.account_frozen', accountId: id });
      expect(seen.body).toEqual([expect.objectContaining({ id, frozen: true, posted: '500' })]);
      expect(byUser.status).toBe(403);
      expect(unknown.status).toBe(404);
      expect(unfrozen.body.frozenAt).toBeNull();
      await transfer(id, houseId, '100');
    });

    it("lists an owner's accounts a page at a time, by asset when asked", async () => {
      // A user of its own: one wallet per user and asset.
      const dave = await signedInUser(api);
      // A system owner: it may hold several accounts of one asset (a user has one wallet each).
      const owner = `system:treasury-${randomUUID()}`;
      const opened: string[] = [];
      for (const asset of ['USD', 'EUR', 'USD']) {
        const res = await asAdmin('POST', '/v1/ledger/accounts', { asset, owner, kind: 'fees' });
        opened.push(res.body.id);
      }
      await wallet(dave);
      const list = (query: string) => asAdmin('GET', `/v1/ledger/accounts?owner=${owner}${query}`);

      const first = await list('&limit=2');
      const second = await list(`&limit=2&cursor=${first.body.nextCursor}`);
      const usd = await list('&asset=USD');
      const noOwner = await asAdmin('GET', '/v1/ledger/accounts');
      const badCursor = await list('&cursor=abc');
      const asUser = await api.request('GET', `/v1/ledger/accounts?owner=${alice.id}`, {
        token: alice.accessToken,
      });

      expect(first.status).toBe(200);
      expect(first.body.accounts[0]).toMatchObject({ owner, balance: { posted: '0' } });
      const ids = [...first.body.accounts, ...second.body.accounts].map((a: any) => a.id);
      expect(ids).toEqual([...opened].sort());
      expect(second.body.nextCursor).toBeUndefined();
      expect(usd.body.accounts.map((a: any) => a.asset)).toEqual(['USD', 'USD']);
      expect(noOwner.status).toBe(400);
      expect(noOwner.body.errors).toEqual([expect.objectContaining({ field: 'owner' })]);
      expect(badCursor.body.errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
      expect(asUser.status).toBe(403);
    });

    it("pages any account's statement for admins, a sharded system account included", async () => {
      // A user of its own: one wallet per user and asset.
      const carol = await signedInUser(api);
      const clearing = await asAdmin('POST', '/v1/ledger/accounts', {
        asset: 'USD',
        owner: 'system:psp_clearing',
        kind: 'psp_clearing',
        allowNegative: true,
      });
      const target = await wallet(carol);
      for (const amount of ['100', '250', '400']) {
        await transfer(clearing.body.id, target, amount);
      }
      const entriesOf = (id: string, query = '') =>
        asAdmin('GET', `/v1/ledger/accounts/${id}/entries${query}`);

      const first = await entriesOf(clearing.body.id, '?limit=2');
      const second = await entriesOf(clearing.body.id, `?limit=2&cursor=${first.body.nextCursor}`);
      const statement = await entriesOf(target);
      const asUser = await api.request('GET', `/v1/ledger/accounts/${target}/entries`, {
        token: carol.accessToken,
      });

      expect(first.status).toBe(200);
      expect(second.body.nextCursor).toBeUndefined();
      expect(
        [...first.body.entries, ...second.body.entries].map((e: any) => [
          e.side,
          e.amount,
          e.balanceAfter,
        ]),
      ).toEqual([
        ['debit', '400', '-750'],
        ['debit', '250', '-350'],
        ['debit', '100', '-100'],
      ]);
      expect(statement.body.entries.map((e: any) => e.balanceAfter)).toEqual(['750', '350', '100']);
      expect((await entriesOf(randomUUID())).body.code).toBe('ledger.account_not_found');
      expect((await entriesOf(target, '?cursor=abc')).body.code).toBe('ledger.invalid_cursor');
      expect(asUser.status).toBe(403);
    });
  });

  describe('transfers', () => {
    it('replays a transfer sent again with the same Idempotency-Key, moving money once', async () => {
      // A user of its own: one wallet per user and asset.
      const carol = await signedInUser(api);
      const id = await wallet(carol);
      const body = {
        id: randomUUID(),
        debitAccountId: houseId,
        creditAccountId: id,
        amount: '700',
        asset: 'USD',
        code: 'test.idem',
      };
      const headers = { 'idempotency-key': randomUUID() };
      const counted = 'bourse_ledger_transfers_total{code="test.idem",status="posted"}';
      const before = await metric(counted);

      const first = await api.request('POST', '/v1/ledger/transfers', {
        token: admin.accessToken,
        body,
        headers,
      });
      const replay = await api.request('POST', '/v1/ledger/transfers', {
        token: admin.accessToken,
        body,
        headers,
      });

      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({ amount: '700', status: 'posted', pending: false });
      expect(replay.status).toBe(201);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body).toEqual(first.body);
      expect((await asAdmin('GET', `/v1/ledger/accounts/${id}`)).body.balance.posted).toBe('700');
      expect(await metric(counted)).toBe(before + 1);
    });

    it('answers each batch member on its own; a linked chain fails together', async () => {
      // A user of its own: one wallet per user and asset.
      const carol = await signedInUser(api);
      const dave = await signedInUser(api);
      const rich = await wallet(carol, '1000');
      const poor = await wallet(dave);
      const item = (debit: string, credit: string, amount: string, linked = false) => ({
        id: randomUUID(),
        debitAccountId: debit,
        creditAccountId: credit,
        amount,
        asset: 'USD',
        code: 'test.batch',
        linked,
      });
      const transfers = [
        item(rich, poor, '100'),
        item(rich, poor, '200', true), // would succeed alone...
        item(poor, rich, '999999'), // ...but its chain partner lacks funds
        item(poor, rich, '5000'),
      ];
      const failuresBefore = await metric(
        'bourse_ledger_transfer_failures_total{reason="ledger.insufficient_funds"}',
      );

      const res = await asAdmin('POST', '/v1/ledger/transfers/batch', { transfers });

      expect(res.status).toBe(200);
      expect(res.body.results.map((r: any) => [r.id, r.ok, r.result])).toEqual([
        [transfers[0]!.id, true, 'created'],
        [transfers[1]!.id, false, 'ledger.linked_failed'],
        [transfers[2]!.id, false, 'ledger.insufficient_funds'],
        [transfers[3]!.id, false, 'ledger.insufficient_funds'],
      ]);
      expect(res.body.results[0].transfer).toMatchObject({ amount: '100', status: 'posted' });
      expect((await asAdmin('GET', `/v1/ledger/transfers/${transfers[1]!.id}`)).status).toBe(404);
      expect((await asAdmin('GET', `/v1/ledger/accounts/${rich}`)).body.balance.posted).toBe('900');
      expect(
        await metric('bourse_ledger_transfer_failures_total{reason="ledger.insufficient_funds"}'),
      ).toBe(failuresBefore + 2);
    });

    it('refuses a batch above 1,000 transfers naming the field', async () => {
      const transfers = Array.from({ length: 1001 }, () => ({
        id: randomUUID(),
        debitAccountId: houseId,
        creditAccountId: houseId,
        amount: '1',
        asset: 'USD',
        code: 'x',
      }));

      const res = await asAdmin('POST', '/v1/ledger/transfers/batch', { transfers });

      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'transfers' })]);
    });

    it('posts a hold once (a smaller amount releases the rest) and voids another', async () => {
      // A user of its own: one wallet per user and asset.
      const carol = await signedInUser(api);
      const id = await wallet(carol, '1000');
      const hold = await transfer(id, houseId, '600', { pending: true, timeoutSeconds: 3600 });
      expect(hold).toMatchObject({ status: 'pending', pending: true });
      expect((await api.request('GET', '/v1/wallets', { token: carol.accessToken })).body).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ id, posted: '1000', pending: '-600', available: '400' }),
        ]),
      );

      const posted = await asAdmin('POST', `/v1/ledger/transfers/${hold.id}/post`, {
        amount: '450',
      });
      const samePost = await asAdmin('POST', `/v1/ledger/transfers/${hold.id}/post`, {
        amount: '450',
      });
      const otherPost = await asAdmin('POST', `/v1/ledger/transfers/${hold.id}/post`, {});
      const voidPosted = await asAdmin('POST', `/v1/ledger/transfers/${hold.id}/void`);

      expect(posted.status).toBe(200);
      expect(posted.body).toMatchObject({ status: 'posted', amount: '600', postedAmount: '450' });
      expect(samePost.body).toEqual(posted.body);
      expect(otherPost.status).toBe(409);
      expect(otherPost.body.code).toBe('ledger.transfer_state');
      expect(voidPosted.status).toBe(409);
      expect(voidPosted.body.code).toBe('ledger.transfer_state');

      const second = await transfer(id, houseId, '100', { pending: true });
      const tooMuch = await asAdmin('POST', `/v1/ledger/transfers/${second.id}/post`, {
        amount: '101',
      });
      const voided = await asAdmin('POST', `/v1/ledger/transfers/${second.id}/void`);
      const postVoided = await asAdmin('POST', `/v1/ledger/transfers/${second.id}/post`);

      expect(tooMuch.status).toBe(422);
      expect(voided.status).toBe(200);
      expect(voided.body.status).toBe('voided');
      expect(postVoided.status).toBe(409);
      expect((await asAdmin('GET', `/v1/ledger/transfers/${second.id}`)).body.status).toBe(
        'voided',
      );
      expect((await asAdmin('GET', `/v1/ledger/accounts/${id}`)).body.balance).toMatchObject({
        posted: '550',
        pending: '0',
        available: '550',
      });
      expect((await asAdmin('POST', `/v1/ledger/transfers/${randomUUID()}/void`)).status).toBe(404);
    });

    it.each([
      ['a number', 1250, 'amount'],
      ['negative', '-5', 'amount'],
      ['zero', '0', 'amount'],
      ['a fraction', '12.50', 'amount'],
      ['20 digits', '12345678901234567890', 'amount'],
      ['above int64', '9223372036854775808', 'amount'],
    ])('refuses an amount that is %s with a 400 naming the field', async (_what, amount, field) => {
      const res = await asAdmin('POST', '/v1/ledger/transfers', {
        id: randomUUID(),
        debitAccountId: houseId,
        creditAccountId: randomUUID(),
        amount,
        asset: 'USD',
        code: 'test.invalid',
      });

      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.code).toBe('validation.failed');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    });

    it('names nested batch fields and unknown ones', async () => {
      const res = await asAdmin('POST', '/v1/ledger/transfers/batch', {
        transfers: [
          {
            id: 'nope',
            debitAccountId: houseId,
            creditAccountId: houseId,
            amount: 5,
            asset: 'USD',
            code: 'x',
            extra: 1,
          },
        ],
      });

      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'transfers.0.amount',
        'transfers.0.extra',
        'transfers.0.id',
      ]);
    });
  });
});
