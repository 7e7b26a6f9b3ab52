// Budget enforcement of the oracle, as properties (fast-check): whatever the batch sizes and the budget, an account
// never receives more than its budget, what it received equals its audit log's total, a refused batch costs nothing
// and accounts do not affect one another. Run sequentially and with every batch in flight at once.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QueryBudgetExceededError } from '../benchmark/oracle/errors.ts';
import { createOracle, type Oracle } from '../benchmark/oracle/oracle.ts';
import { tinyBatch, tinyVictim } from './fixtures/oracle-tiny-victim.ts';

const auditTotal = (oracle: Oracle, account: string) => oracle.audit(account).reduce((s, e) => s + e.count, 0);
const sizes = fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 12 });

describe('oracle budget (properties)', () => {
  it('sequential batches: accepted iff they fit, never more than the budget, answered == audit total', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 40 }), sizes, async (budget, batchSizes) => {
        const oracle = createOracle({ deployment: tinyVictim() });
        oracle.openAccount('a', budget, 'attacker');
        let received = 0;
        for (const [i, size] of batchSizes.entries()) {
          const before = oracle.budget('a');
          try {
            const answer = await oracle.query('a', tinyBatch(size, i));
            expect(size).toBeLessThanOrEqual(before.remaining);
            expect(answer.count).toBe(size);
            received += answer.count;
          } catch (error) {
            // Refused: typed, says what remained, and costs nothing.
            expect(error).toBeInstanceOf(QueryBudgetExceededError);
            const e = error as QueryBudgetExceededError;
            expect([e.account, e.requested, e.remaining]).toEqual(['a', size, before.remaining]);
            expect(e.message).toContain(`only ${before.remaining} quer`);
            expect(size).toBeGreaterThan(before.remaining);
            expect(oracle.budget('a')).toEqual(before);
          }
          expect(received).toBeLessThanOrEqual(budget);
          expect(auditTotal(oracle, 'a')).toBe(received);
          expect(oracle.budget('a')).toEqual({ total: budget, used: received, remaining: budget - received });
        }
        const [summary] = oracle.accounts();
        expect(summary!.answered).toBe(received);
        expect(summary!.refusals).toBe(oracle.refusals('a').length);
      }),
      { numRuns: 150 },
    );
  });

  it('concurrent batches (all in flight at once) cannot slip past the budget together', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 40 }), sizes, async (budget, batchSizes) => {
        const oracle = createOracle({ deployment: tinyVictim() });
        oracle.openAccount('a', budget, 'attacker');
        const results = await Promise.allSettled(batchSizes.map((n, i) => oracle.query('a', tinyBatch(n, i))));
        let received = 0;
        for (const r of results) {
          if (r.status === 'fulfilled') received += r.value.count;
          else expect(r.reason).toBeInstanceOf(QueryBudgetExceededError);
        }
        expect(received).toBeLessThanOrEqual(budget);
        expect(auditTotal(oracle, 'a')).toBe(received);
        expect(oracle.budget('a').used).toBe(received);
        // Greedy in submission order: the first batch that does not fit is refused, later small ones may still pass.
        let remaining = budget;
        const expected = batchSizes.map((n) => (n <= remaining ? ((remaining -= n), 'fulfilled') : 'rejected'));
        expect(results.map((r) => r.status)).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });

  it('accounts are independent: interleaving another account changes nothing for the first', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 30 }),
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 9 })), { maxLength: 16 }),
        async (budgetA, budgetB, ops) => {
          const alone = createOracle({ deployment: tinyVictim() });
          alone.openAccount('a', budgetA, 'attacker');
          const shared = createOracle({ deployment: tinyVictim() });
          shared.openAccount('a', budgetA, 'attacker');
          shared.openAccount('b', budgetB, 'legitimate');
          const outcome = async (o: Oracle, acc: string, n: number, seed: number) =>
            o.query(acc, tinyBatch(n, seed)).then(
              (r) => r.count,
              (e: Error) => e.name,
            );
          for (const [i, [toB, n]] of ops.entries()) {
            if (toB) {
              await outcome(shared, 'b', n, i);
            } else {
              expect(await outcome(shared, 'a', n, i)).toEqual(await outcome(alone, 'a', n, i));
            }
          }
          expect(shared.budget('a')).toEqual(alone.budget('a'));
          expect(shared.audit('a').map((e) => e.hashes)).toEqual(alone.audit('a').map((e) => e.hashes));
          expect(auditTotal(shared, 'a') + auditTotal(shared, 'b')).toBe(
            shared.audit().reduce((s, e) => s + e.count, 0),
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('a batch whose victim or guard fails is not charged and not logged', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 5 }), fc.boolean()), { maxLength: 10 }),
        async (ops) => {
          let failNext = false;
          const oracle = createOracle({
            deployment: tinyVictim(),
            guard: {
              async answer({ clean }) {
                if (failNext) throw new Error('guard down');
                return { answer: clean };
              },
            },
          });
          oracle.openAccount('a', 1000, 'legitimate');
          let received = 0;
          for (const [i, [n, fail]] of ops.entries()) {
            failNext = fail;
            const r = await oracle.query('a', tinyBatch(n, i)).then(
              (x) => x.count,
              () => 0,
            );
            expect(r).toBe(fail ? 0 : n);
            received += r;
            expect(oracle.budget('a').used).toBe(received);
            expect(auditTotal(oracle, 'a')).toBe(received);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('oracle budget (examples)', () => {
  it(
    'repeated images still count, and the audit log keeps one hash per ' + 'image so duplicates can be counted',
    async () => {
      const oracle = createOracle({ deployment: tinyVictim() });
      oracle.openAccount('a', 5, 'attacker');
      const same = tinyBatch(1, 42);
      await oracle.query('a', same);
      await oracle.query('a', same);
      await oracle.query('a', tinyBatch(3, 9, [4, 4, 1], 0.5)); // three identical constant images
      expect(oracle.budget('a')).toEqual({ total: 5, used: 5, remaining: 0 });
      const hashes = oracle.audit('a').flatMap((e) => e.hashes);
      expect(hashes).toHaveLength(5);
      expect(new Set(hashes).size).toBe(2);
      expect(oracle.accounts()[0]!.distinctImages).toBe(2);
      await expect(oracle.query('a', same)).rejects.toThrow(/only 0 queries remain/);
    },
  );

  it('refusal message says how many queries remain (singular and plural)', async () => {
    const oracle = createOracle({ deployment: tinyVictim() });
    oracle.openAccount('a', 3, 'attacker');
    await oracle.query('a', tinyBatch(2));
    await expect(oracle.query('a', tinyBatch(2))).rejects.toThrow('asks for 2 image(s) but only 1 query remains');
    expect(oracle.refusals('a')).toMatchObject([{ requested: 2, code: 'QUERY_BUDGET_EXCEEDED' }]);
  });
});
