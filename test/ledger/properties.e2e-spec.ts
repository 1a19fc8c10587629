import { type Account, type BatchTransferInput } from '@bourse/ledger';
import type { INestApplicationContext } from '@nestjs/common';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { LedgerFactory, startLedger, type LedgerServices } from '../factories/ledger';

type Op =
  | { kind: 'transfer'; from: number; to: number; amount: bigint; pending: boolean }
  | { kind: 'batch'; legs: { from: number; to: number; amount: bigint; linked: boolean }[] }
  | { kind: 'post'; nth: number; part: bigint }
  | { kind: 'void'; nth: number }
  | { kind: 'retry'; nth: number };

// Accounts 0-2 are user wallets (never negative), 3-4 allow-negative system accounts (sharded).
const ACCOUNTS = 5;
const isUser = (i: number): boolean => i < 3;

const leg = fc
  .record({
    from: fc.nat(ACCOUNTS - 1),
    to: fc.nat(ACCOUNTS - 1),
    amount: fc.bigInt(1n, 400n),
  })
  .filter((l) => l.from !== l.to);

const op: fc.Arbitrary<Op> = fc.oneof(
  leg.chain((l) => fc.boolean().map((pending) => ({ kind: 'transfer' as const, ...l, pending }))),
  fc
    .array(
      leg.chain((l) => fc.boolean().map((linked) => ({ ...l, linked }))),
      { minLength: 1, maxLength: 6 },
    )
    .map((legs) => ({ kind: 'batch' as const, legs })),
  fc.record({ kind: fc.constant('post' as const), nth: fc.nat(20), part: fc.bigInt(1n, 4n) }),
  fc.record({ kind: fc.constant('void' as const), nth: fc.nat(20) }),
  fc.record({ kind: fc.constant('retry' as const), nth: fc.nat(50) }),
);

/** The reference model: what the ledger should hold after the same operations, by plain bigint arithmetic. */
class Model {
  posted = Array<bigint>(ACCOUNTS).fill(0n);
  held = Array<bigint>(ACCOUNTS).fill(0n); // pending debits
  pending: { id: string; from: number; to: number; amount: bigint }[] = [];

  canDebit(from: number, amount: bigint): boolean {
    return !isUser(from) || this.posted[from]! - this.held[from]! >= amount;
  }

  apply(from: number, to: number, amount: bigint, pending: boolean): void {
    if (pending) {
      this.held[from]! += amount;
    } else {
      this.posted[from]! -= amount;
      this.posted[to]! += amount;
    }
  }
}

describe('ledger properties', () => {
  let app: INestApplicationContext;
  let ledger: LedgerServices;
  let make: LedgerFactory;

  beforeAll(async () => {
    ({ app, ledger } = await startLedger({ LEDGER_HOT_ACCOUNT_SHARDS: '4' }));
    make = new LedgerFactory(ledger);
  });

  afterAll(() => app.close());

  it('keeps every invariant and matches a bigint model over random operation sequences', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 14 }), async (ops) => {
        const accounts: Account[] = [
          ...(await Promise.all([0, 1, 2].map(() => make.wallet()))),
          await make.system('house'),
          await make.system('fees'),
        ];
        const model = new Model();
        const done: BatchTransferInput[] = [];
        // Seed the wallets from the system account so users have something to spend.
        for (const user of [0, 1, 2]) {
          const seed = input(4, user, 500n, false);
          await ledger.transfers.transfer(seed);
          model.apply(4, user, 500n, false);
        }

        function input(
          from: number,
          to: number,
          amount: bigint,
          pending: boolean,
        ): BatchTransferInput {
          return {
            id: randomUUID(),
            debitAccountId: accounts[from]!.id,
            creditAccountId: accounts[to]!.id,
            amount,
            asset: 'USD',
            code: 'prop',
            pending,
          };
        }

        for (const o of ops) {
          switch (o.kind) {
            case 'transfer': {
              const t = input(o.from, o.to, o.amount, o.pending);
              const ok = model.canDebit(o.from, o.amount);
              const result = ledger.transfers.transfer(t);
              if (ok) {
                await result;
                model.apply(o.from, o.to, o.amount, o.pending);
                done.push(t);
                if (o.pending) {
                  model.pending.push({ id: t.id, from: o.from, to: o.to, amount: o.amount });
                }
              } else {
                await expect(result).rejects.toMatchObject({ code: 'ledger.insufficient_funds' });
              }
              break;
            }
            case 'batch': {
              const inputs = o.legs.map((l, i) => ({
                ...input(l.from, l.to, l.amount, false),
                linked: l.linked && i < o.legs.length - 1,
              }));
              const results = await ledger.transfers.transferMany(inputs);
              // Model the chains: apply tentatively, keep a chain only if every leg could debit.
              let start = 0;
              for (let i = 0; i < inputs.length; i++) {
                if (inputs[i]!.linked) {
                  continue;
                }
                const chain = o.legs.slice(start, i + 1);
                const saved = [...model.posted];
                const fits = chain.every((l) => {
                  const fit = model.canDebit(l.from, l.amount);
                  if (fit) {
                    model.apply(l.from, l.to, l.amount, false);
                  }

                  return fit;
                });
                if (!fits) {
                  model.posted = saved;
                }
                for (let j = start; j <= i; j++) {
                  expect(results[j]!.ok).toBe(fits);
                  if (fits) {
                    done.push(inputs[j]!);
                  }
                }
                start = i + 1;
              }
              break;
            }
            case 'post':
            case 'void': {
              const p = model.pending[o.nth % Math.max(model.pending.length, 1)];
              if (!p) {
                break;
              }
              model.pending = model.pending.filter((x) => x !== p);
              model.held[p.from]! -= p.amount;
              if (o.kind === 'post') {
                const amount = (p.amount * o.part + 3n) / 4n; // a quarter to all of it, at least 1
                await ledger.transfers.postPending(p.id, { amount });
                model.posted[p.from]! -= amount;
                model.posted[p.to]! += amount;
              } else {
                await ledger.transfers.voidPending(p.id);
              }
              break;
            }
            case 'retry': {
              const again = done[o.nth % Math.max(done.length, 1)];
              if (again) {
                const [result] = await ledger.transfers.transferMany([{ ...again, linked: false }]);
                expect(result!.result).toBe('already_exists');
              }
              break;
            }
          }
        }

        for (let i = 0; i < ACCOUNTS; i++) {
          const { balance } = (await ledger.accounts.getAccount(accounts[i]!.id))!;
          expect(balance.posted).toBe(model.posted[i]);
          expect(balance.debitsPending).toBe(model.held[i]);
          if (isUser(i)) {
            expect(balance.available >= 0n).toBe(true);
          }
        }
        const report = await ledger.statements.verifyInvariants();
        expect(report).toMatchObject({ ok: true });
      }),
      { numRuns: 25 },
    );
  });
});
