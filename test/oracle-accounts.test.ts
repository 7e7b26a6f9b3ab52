// The attacker's accounts (sybils) and the legitimate users' traffic:
// - one budget over all the attacker's accounts: total images never exceed it, whatever the accounts and batch sizes,
//   sequential or all in flight at once (fast-check);
// - account ids are opaque, the same form for every role, and differ between seeds;
// - the legitimate users' batches interleave with the attacker's, some before its first query, on a seeded schedule;
// - a defense's faults (throw, wrong shape, NaN, Infinity, bad flags or costs) are refused uncharged and kept
//   as faults.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GuardAnswerError,
  GuardFailedError,
  QueryBudgetExceededError,
  VictimFailedError,
} from '../benchmark/oracle/errors.ts';
import { createOracle } from '../benchmark/oracle/oracle.ts';
import {
  accountId,
  legitimateAccountId,
  MAX_ATTACKER_ACCOUNTS,
  openAttackerAccounts,
} from '../benchmark/oracle/accounts.ts';
import {
  createLegitimateTraffic,
  interleavedClient,
  legitimateSchedule,
  LEGITIMATE_BATCH_SIZES,
} from '../benchmark/oracle/interleave.ts';
import type { Guard, GuardResponse } from '../benchmark/plugin/types.ts';
import { tinyBatch, tinyVictim } from './fixtures/oracle-tiny-victim.ts';

const batches = fc.array(fc.record({ account: fc.integer({ min: 0, max: 7 }), size: fc.integer({ min: 1, max: 9 }) }), {
  maxLength: 16,
});

describe('sybil accounts share one budget', () => {
  it('total images across accounts never exceed the cell budget (sequential and concurrent)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 40 }), batches, fc.boolean(), async (budget, plan, concurrent) => {
        const oracle = createOracle({ deployment: tinyVictim() });
        const accounts = openAttackerAccounts(oracle, budget, 3);
        const client = oracle.client(accounts);
        const send = (b: { account: number; size: number }, i: number) =>
          client.query(tinyBatch(b.size, i), { account: b.account });
        const results = concurrent
          ? await Promise.allSettled(plan.map(send))
          : await plan.reduce<Promise<PromiseSettledResult<unknown>[]>>(
              async (done, b, i) => [...(await done), ...(await Promise.allSettled([send(b, i)]))],
              Promise.resolve([]),
            );
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(QueryBudgetExceededError);
        const answered = plan.reduce((sum, b, i) => sum + (results[i]!.status === 'fulfilled' ? b.size : 0), 0);
        const audited = accounts
          .opened()
          .reduce((sum, id) => sum + oracle.audit(id).reduce((s, e) => s + e.count, 0), 0);
        expect(audited).toBe(answered);
        expect(answered).toBeLessThanOrEqual(budget);
        expect(await client.budget()).toEqual({ total: budget, used: answered, remaining: budget - answered });
        // Sequentially, a batch is refused only when it does not fit in what all the accounts left.
        if (!concurrent) {
          let used = 0;
          plan.forEach((b, i) => {
            expect(results[i]!.status === 'fulfilled').toBe(b.size <= budget - used);
            if (results[i]!.status === 'fulfilled') used += b.size;
          });
        }
      }),
      { numRuns: 60 },
    );
  });

  it('each index maps lazily to its own opaque account; indices out of range are refused uncharged', async () => {
    const oracle = createOracle({ deployment: tinyVictim() });
    const accounts = openAttackerAccounts(oracle, 10, 11);
    const client = oracle.client(accounts);
    expect(client.maxAccounts).toBe(MAX_ATTACKER_ACCOUNTS);
    expect(oracle.accounts()).toEqual([]);
    await client.query(tinyBatch(2, 0), { account: 3 });
    await client.query(tinyBatch(1, 1));
    expect(accounts.opened()).toEqual([accountId(11, 3), accountId(11, 0)]);
    expect(oracle.accounts().map((a) => [a.id, a.role, a.answered])).toEqual([
      [accountId(11, 3), 'attacker', 2],
      [accountId(11, 0), 'attacker', 1],
    ]);
    await expect(client.query(tinyBatch(1, 2), { account: MAX_ATTACKER_ACCOUNTS })).rejects.toMatchObject({
      code: 'INVALID_QUERY',
      field: 'options.account',
    });
    expect(accounts.budget().used).toBe(3);
  });
});

describe('opaque account ids', () => {
  it('have one form for every role, carry no role, and differ between seeds', () => {
    const ids = (seed: number) => [
      ...Array.from({ length: 4 }, (_, i) => accountId(seed, i)),
      legitimateAccountId(seed, 0),
      legitimateAccountId(seed, 1),
    ];
    for (const id of [...ids(0), ...ids(1)]) expect(id).toMatch(/^acct-[0-9a-f]{16}$/);
    expect(new Set([...ids(0), ...ids(1)]).size).toBe(12);
    expect(ids(0)).toEqual(ids(0));
  });
});

describe('legitimate traffic interleaved with the attacker', () => {
  it(
    'the schedule keeps each user in order, starts before the attacker, ' + 'spreads past the budget, and is seeded',
    () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 1, max: 900 }), { minLength: 1, maxLength: 4 }),
          fc.integer({ min: 1, max: 5000 }),
          fc.nat(),
          (counts, budget, seed) => {
            const schedule = legitimateSchedule(counts, budget, seed);
            expect(schedule[0]!.threshold).toBe(0);
            counts.forEach((count, stream) => {
              const own = schedule.filter((b) => b.stream === stream);
              expect(own.reduce((sum, b) => sum + b.count, 0)).toBe(count);
              own.forEach((b, i) => expect(b.start).toBe(i === 0 ? 0 : own[i - 1]!.start + own[i - 1]!.count));
              for (const b of own.slice(0, -1)) expect(b.count).toBeGreaterThanOrEqual(LEGITIMATE_BATCH_SIZES[0]);
            });
            for (const b of schedule) expect(b.threshold).toBeLessThan(Math.max(1, 1.25 * budget));
            for (let i = 1; i < schedule.length; i++)
              expect(schedule[i]!.threshold).toBeGreaterThanOrEqual(schedule[i - 1]!.threshold);
            expect(legitimateSchedule(counts, budget, seed)).toEqual(schedule);
          },
        ),
      );
      // Different seeds give different schedules (batch sizes and release points).
      expect(legitimateSchedule([1000, 1000], 500, 1)).not.toEqual(legitimateSchedule([1000, 1000], 500, 2));
    },
  );

  it('legitimate and attacker batches interleave in the audit log, the first one legitimate', async () => {
    const oracle = createOracle({ deployment: tinyVictim() });
    const attacker = openAttackerAccounts(oracle, 400, 5);
    const users = [legitimateAccountId(5, 0), legitimateAccountId(5, 1)];
    for (const id of users) oracle.openAccount(id, 600, 'legitimate');
    const streams = users.map((account, u) => ({ account, images: tinyBatch(600, 100 + u) }));
    const traffic = createLegitimateTraffic(oracle, streams, legitimateSchedule([600, 600], 400, 9));
    const client = interleavedClient(oracle.client(attacker), () => attacker.budget().used, traffic);
    for (let i = 0; i < 20; i++) await client.query(tinyBatch(20, i), { account: i % 3 });
    await traffic.finish();
    expect(traffic.error()).toBeUndefined();
    const roles = oracle.audit().map((entry) => (users.includes(entry.account) ? 'L' : 'A'));
    expect(roles[0]).toBe('L');
    const runs = roles.join('').match(/L+|A+/g)!;
    // Several alternations, not one block of each: the attacker is neither first nor alone in any long stretch.
    expect(runs.length).toBeGreaterThanOrEqual(5);
    // Every user got every image answered, in its own order.
    const answers = traffic.answers();
    expect(answers.map((list) => list.reduce((s, a) => s + a.count, 0))).toEqual([600, 600]);
    expect(attacker.budget().used).toBe(400);
  });
});

describe('the oracle validates every guard answer and keeps faults', () => {
  const guardOf = (answer: (clean: GuardResponse['answer']) => unknown): Guard => ({
    answer: async ({ clean }) => answer(clean) as GuardResponse,
  });
  const cases: [string, Guard, typeof GuardAnswerError | typeof GuardFailedError, RegExp][] = [
    [
      'throws',
      {
        answer: async () => {
          throw new Error('guard exploded');
        },
      },
      GuardFailedError,
      /guard exploded/,
    ],
    ['wrong count', guardOf((c) => ({ answer: { ...c, count: c.count + 1 } })), GuardAnswerError, /count/],
    ['wrong length', guardOf((c) => ({ answer: { ...c, data: c.data.slice(1) } })), GuardAnswerError, /data length/],
    [
      'NaN',
      guardOf((c) => ({ answer: { ...c, data: c.data.map((v, i) => (i === 1 ? Number.NaN : v)) } })),
      GuardAnswerError,
      /NaN.*finite/,
    ],
    [
      'Infinity',
      guardOf((c) => ({ answer: { ...c, data: c.data.map(() => Infinity) } })),
      GuardAnswerError,
      /Infinity.*finite/,
    ],
    ['bad flags', guardOf((c) => ({ answer: c, flagged: [true] })), GuardAnswerError, /flagged/],
    ['negative cost', guardOf((c) => ({ answer: c, cost: { hashes: -1 } })), GuardAnswerError, /cost\.hashes/],
    ['not an object', guardOf(() => 42), GuardAnswerError, /number 42/],
  ];
  it.each(cases)(
    'a guard that %s is refused uncharged and recorded as a defense fault',
    async (_, guard, type, message) => {
      const oracle = createOracle({ deployment: tinyVictim(), guard });
      oracle.openAccount('a', 10, 'attacker');
      const error = await oracle.query('a', tinyBatch(3)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(type);
      expect((error as Error).message).toMatch(message);
      expect(oracle.budget('a').used).toBe(0);
      expect(oracle.faults()).toEqual([{ party: 'defense', account: 'a', message: expect.stringMatching(message) }]);
    },
  );

  it("a victim that returns NaN is a victim fault, not the attack's or the defense's", async () => {
    const victim = tinyVictim();
    const oracle = createOracle({
      deployment: {
        ...victim,
        encode: async (images) => ({
          ...(await victim.encode(images)),
          data: new Float32Array(images.count * 3).fill(Number.NaN),
        }),
      },
    });
    oracle.openAccount('a', 10, 'attacker');
    await expect(oracle.query('a', tinyBatch(2))).rejects.toBeInstanceOf(VictimFailedError);
    expect(oracle.faults()).toMatchObject([
      { party: 'victim', message: expect.stringMatching(/tiny-linear-tanh.*NaN/) },
    ]);
  });

  it('a 20 MB error from a guard is kept capped', async () => {
    const oracle = createOracle({
      deployment: tinyVictim(),
      guard: {
        answer: async () => {
          throw new Error('x'.repeat(20_000_000));
        },
      },
    });
    oracle.openAccount('a', 10, 'attacker');
    const error = (await oracle.query('a', tinyBatch(1)).catch((e: unknown) => e)) as Error;
    expect(error.message.length).toBeLessThan(2100);
    expect(oracle.faults()[0]!.message).toMatch(/capped at 2000 characters/);
  });
});
