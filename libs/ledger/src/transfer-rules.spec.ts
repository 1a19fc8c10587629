import {
  applyInOrder,
  INT64_MAX,
  canonicalJson,
  chainsOf,
  deltas,
  invalidReason,
  type Counters,
  type Movement,
} from './transfer-rules';

const zero = (): Counters => ({
  debitsPosted: 0n,
  creditsPosted: 0n,
  debitsPending: 0n,
  creditsPending: 0n,
});
const funded = (credits: bigint): Counters => ({ ...zero(), creditsPosted: credits });
const move = (index: number, amount: bigint, extra: Partial<Movement> = {}): Movement => ({
  index,
  debitRow: 'user',
  creditRow: 'house',
  debitChecked: true,
  amount,
  pending: false,
  ...extra,
});

describe('chainsOf', () => {
  it('ends a chain at the first member without linked', () => {
    expect(chainsOf([{ linked: true }, {}, {}, { linked: true }, { linked: true }, {}])).toEqual({
      chains: [[0, 1], [2], [3, 4, 5]],
    });
  });

  it('reports a chain the batch never closes', () => {
    expect(chainsOf([{}, { linked: true }, { linked: true }])).toEqual({
      chains: [[0]],
      open: [1, 2],
    });
  });
});

describe('invalidReason', () => {
  const ok = {
    id: '01a21110-0369-7551-96a0-862b0b770e9d',
    debitAccountId: '01a21110-0369-7551-96a0-862b0b770e9e',
    creditAccountId: '01a21110-0369-7551-96a0-862b0b770e9f',
    amount: 1n,
    asset: 'USD',
    code: 'x',
  };

  it('accepts a well-formed transfer and names what is wrong with a bad one', () => {
    expect(invalidReason(ok)).toBeUndefined();
    expect(invalidReason({ ...ok, amount: 0n })).toMatch(/amount/);
    expect(invalidReason({ ...ok, amount: 2n ** 63n })).toMatch(/amount/);
    expect(invalidReason({ ...ok, amount: 5 as unknown as bigint })).toMatch(/amount/);
    expect(invalidReason({ ...ok, creditAccountId: ok.debitAccountId })).toMatch(/differ/);
    expect(invalidReason({ ...ok, id: 'nope' })).toMatch(/UUID/);
    expect(invalidReason({ ...ok, timeoutSeconds: 5 })).toMatch(/pending/);
    expect(invalidReason({ ...ok, pending: true, timeoutSeconds: 1.5 })).toMatch(
      /positive integer/,
    );
  });
});

describe('canonicalJson', () => {
  it('ignores key order at every depth, not array order', () => {
    expect(canonicalJson({ b: 1, a: { d: 1, c: [2, 1] } })).toBe(
      canonicalJson({ a: { c: [2, 1], d: 1 }, b: 1 }),
    );
    expect(canonicalJson({ a: [1, 2] })).not.toBe(canonicalJson({ a: [2, 1] }));
  });
});

describe('applyInOrder', () => {
  const NONE_FROZEN = new Set<string>();

  it('checks each debit against the earlier debits of the batch', () => {
    const rows = new Map([
      ['user', funded(25n)],
      ['house', zero()],
    ]);
    const { refused, lines } = applyInOrder(
      [[move(0, 10n)], [move(1, 10n)], [move(2, 10n)], [move(3, 5n)]],
      rows,
      NONE_FROZEN,
    );
    expect([...refused]).toEqual([[2, 'insufficient_funds']]);
    expect(rows.get('user')).toMatchObject({ debitsPosted: 25n });
    expect(lines.filter((l) => l.row === 'user').map((l) => l.balanceAfter)).toEqual([15n, 5n, 0n]);
  });

  it('undoes a whole chain when one member lacks funds, lines included', () => {
    const rows = new Map([
      ['user', funded(10n)],
      ['house', zero()],
      ['fees', zero()],
    ]);
    const { refused, sunk, lines } = applyInOrder(
      [[move(0, 8n), move(1, 5n, { creditRow: 'fees' })], [move(2, 3n, { pending: true })]],
      rows,
      NONE_FROZEN,
    );
    expect([...refused]).toEqual([[1, 'insufficient_funds']]);
    expect([...sunk]).toEqual([0]);
    expect(lines).toEqual([]);
    expect(rows.get('user')).toEqual({ ...funded(10n), debitsPending: 3n });
    expect(rows.get('house')).toEqual({ ...zero(), creditsPending: 3n });
  });

  it('lets an unchecked (allow-negative) account go below zero', () => {
    const rows = new Map([
      ['user', zero()],
      ['house', zero()],
    ]);
    const { refused } = applyInOrder(
      [[move(0, 7n, { debitRow: 'house', creditRow: 'user', debitChecked: false })]],
      rows,
      NONE_FROZEN,
    );
    expect(refused.size).toBe(0);
    expect(rows.get('house')!.debitsPosted).toBe(7n);
  });

  it('refuses a movement that debits or credits a frozen row, before looking at funds', () => {
    const rows = new Map([
      ['user', funded(10n)],
      ['house', zero()],
      ['fees', zero()],
    ]);
    const { refused, sunk, lines } = applyInOrder(
      [
        [move(0, 50n)],
        [move(1, 5n, { creditRow: 'fees' }), move(2, 1n)],
        [move(3, 2n, { debitRow: 'house', creditRow: 'user', debitChecked: false })],
        [move(4, 4n, { creditRow: 'fees' })],
      ],
      rows,
      new Set(['house']),
    );
    expect([...refused]).toEqual([
      [0, 'account_frozen'],
      [2, 'account_frozen'],
      [3, 'account_frozen'],
    ]);
    expect([...sunk]).toEqual([1]);
    expect(lines.map((l) => l.index)).toEqual([4, 4]);
    expect(rows.get('user')).toMatchObject({ debitsPosted: 4n, creditsPosted: 10n });
  });

  it('refuses a movement that would pass 2^63-1 on any counter, held amounts too', () => {
    const rows = new Map([
      ['user', funded(INT64_MAX - 1n)],
      ['house', zero()],
    ]);
    const toUser = { debitRow: 'house', creditRow: 'user', debitChecked: false };
    const { refused, lines } = applyInOrder(
      [
        [move(0, 2n, toUser)],
        [move(1, INT64_MAX, { ...toUser, pending: true })],
        [move(2, 1n, toUser)],
      ],
      rows,
      NONE_FROZEN,
    );
    expect([...refused]).toEqual([[0, 'balance_overflow']]);
    expect(rows.get('user')).toMatchObject({ creditsPosted: INT64_MAX, creditsPending: INT64_MAX });
    expect(lines.map((l) => l.index)).toEqual([2, 2]);
  });
});

describe('deltas', () => {
  it('keeps only changed rows, as net differences', () => {
    const before = new Map([
      ['a', funded(5n)],
      ['b', zero()],
    ]);
    const after = new Map([
      ['a', { ...funded(5n), debitsPending: 2n }],
      ['b', zero()],
    ]);
    expect([...deltas(before, after)]).toEqual([['a', { ...zero(), debitsPending: 2n }]]);
  });
});
