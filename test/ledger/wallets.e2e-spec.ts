import { Database, rows } from '@bourse/platform';
import { randomUUID } from 'node:crypto';
import { ledgerOf, type LedgerServices } from '../factories/ledger';
import { ownerId, signedInUser, type SignedInUser } from '../factories/users';
import { startApi, type TestServer } from '../setup/apps';

/** One wallet per user and asset, and the accounts an admin cannot open. */
describe('user wallets', () => {
  let api: TestServer;
  let db: Database;
  let ledger: LedgerServices;
  let admin: SignedInUser;

  const open = (body: Record<string, unknown>) =>
    api.request('POST', '/v1/ledger/accounts', { token: admin.accessToken, body });

  beforeAll(async () => {
    api = await startApi();
    db = api.app.get(Database);
    ledger = ledgerOf(api.app);
    admin = await signedInUser(api, { role: 'admin' });
  });
  afterAll(() => api.close());

  it('ensureWallet: concurrent calls for a user and asset end with one wallet, under a derived id', async () => {
    const user = await ownerId(db);
    const wallets = await Promise.all(
      Array.from({ length: 8 }, () => ledger.accounts.ensureWallet(user, 'EUR')),
    );

    expect(new Set(wallets.map((w) => w.id)).size).toBe(1);
    expect(wallets[0]).toMatchObject({ owner: user, asset: 'EUR', kind: 'user_wallet' });
    const stored = await rows(
      db.manager,
      `SELECT id FROM ledger_accounts WHERE owner = $1 AND asset = 'EUR'`,
      [user],
    );
    expect(stored).toEqual([{ id: wallets[0]!.id }]);
    // Another process derives the same id; another asset is another wallet.
    expect((await ledger.accounts.ensureWallet(user, 'EUR')).id).toBe(wallets[0]!.id);
    expect((await ledger.accounts.ensureWallet(user, 'USD')).id).not.toBe(wallets[0]!.id);
  });

  it('ensureWallet returns the wallet an admin opened earlier, and refuses an unknown user', async () => {
    const user = await ownerId(db);
    const opened = await open({ asset: 'GBP', owner: user, kind: 'user_wallet' });
    expect(opened.status).toBe(201);

    expect((await ledger.accounts.ensureWallet(user, 'GBP')).id).toBe(opened.body.id);
    await expect(ledger.accounts.ensureWallet(randomUUID(), 'GBP')).rejects.toMatchObject({
      code: 'ledger.invalid_account',
    });
  });

  it('refuses a second wallet of a user in one asset (409 naming the owner)', async () => {
    const user = await ownerId(db);
    expect((await open({ asset: 'CHF', owner: user, kind: 'user_wallet' })).status).toBe(201);

    const second = await open({ asset: 'CHF', owner: user, kind: 'user_wallet' });

    expect(second.status).toBe(409);
    expect(second.headers.get('content-type')).toContain('application/problem+json');
    expect(second.body).toMatchObject({ code: 'ledger.wallet_exists', field: 'owner' });
  });

  it.each([
    ['a user wallet owned by a system name', { owner: 'system:house', kind: 'user_wallet' }],
    ['a wallet for a user that does not exist', { owner: randomUUID(), kind: 'user_wallet' }],
    ['a house account owned by a user', { owner: 'user', kind: 'house', allowNegative: true }],
    ['a fees account owned by a user', { owner: 'user', kind: 'fees' }],
  ])('refuses %s (422 naming the owner)', async (_case, fields) => {
    const owner = fields.owner === 'user' ? await ownerId(db) : fields.owner;

    const res = await open({ asset: 'USD', ...fields, owner });

    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ code: 'ledger.invalid_account', field: 'owner' });
    expect(
      await rows(db.manager, `SELECT 1 FROM ledger_accounts WHERE owner = $1 AND kind = $2`, [
        owner,
        fields.kind,
      ]),
    ).toEqual([]);
  });

  it('refuses a user wallet allowed to go negative (422 naming allowNegative)', async () => {
    const res = await open({
      asset: 'USD',
      owner: await ownerId(db),
      kind: 'user_wallet',
      allowNegative: true,
    });

    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'ledger.invalid_account', field: 'allowNegative' });
  });
});
