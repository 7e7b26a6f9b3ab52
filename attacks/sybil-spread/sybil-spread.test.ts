// sybil-spread: the kit's contract; the total over all its accounts never exceeds the cell budget (property test over
// budgets, pool sizes, account counts and oracle limits); 'auto' reads the defense's public options; the diverse
// assignment keeps each account's closest pair further apart than a round-robin split does; garbage answers from
// similar-query detection are left out of training.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { testAttack, tinyImages } from '../../benchmark/testkit/index.ts';
import proofOfWork from '../../defenses/proof-of-work/index.ts';
import similarQueryDetection from '../../defenses/similar-query-detection/index.ts';
import { createTinyVictim } from '../../benchmark/testkit/index.ts';
import { roundRobin } from '../_shared/accounts.ts';
import { closestPairPerAccount, diverseAssignment } from '../_shared/spread.ts';
import { stealFromTinyVictim } from '../_shared/testing.ts';
import plugin, { autoAccounts, SIMILARITY_ACCOUNT_SIZE } from './index.ts';
import { resolveOptions, publicDefense } from '../../benchmark/testkit/index.ts';

const tiny = { width: 0.25, steps: 1 };

testAttack(plugin, {
  cases: [
    { name: 'one step, one account (the kit serves one)', options: tiny, budget: 48 },
    {
      name: 'four accounts asked, round-robin',
      options: { ...tiny, accounts: 4, assignment: 'round-robin' },
      budget: 40,
    },
  ],
  invalid: [
    { options: { accounts: 0 }, error: '/accounts' },
    { options: { steps: 0 }, error: '/steps: must be >= 1' },
  ],
});

describe('sybil-spread budget', () => {
  it('the images over all accounts never exceed the cell budget, and nothing is refused', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 9 }),
        fc.constantFrom('diverse', 'round-robin'),
        async (budget, extraPool, accounts, maxAccounts, assignment) => {
          const run = await stealFromTinyVictim(
            plugin,
            { ...tiny, accounts, assignment, batchSize: 8, queryBatchSize: 7 },
            { budget, poolSize: budget + extraPool, maxAccounts, heldOut: 4 },
          );
          run.model.dispose();
          expect(run.refusals).toBe(0);
          expect(run.used).toBeLessThanOrEqual(budget);
          expect(run.used).toBe(budget); // it spends the whole budget (the pool has at least that many images)
          const active = run.perAccount.filter((n) => n > 0).length;
          expect(active).toBe(Math.min(accounts, maxAccounts, budget));
          // Balanced: no account holds more than one image over another.
          const nonzero = run.perAccount.slice(0, active);
          expect(Math.max(...nonzero) - Math.min(...nonzero)).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 12 },
    );
  }, 240_000);
});

describe('sybil-spread planning', () => {
  it("'auto' sizes the accounts from the defense's public options", () => {
    expect(autoAccounts({ defense: { id: 'proof-of-work', options: { calibrationQueries: 1500 } } }, 4000)).toBe(3);
    expect(autoAccounts({ defense: { id: 'similar-query-detection', options: {} } }, 4000)).toBe(
      4000 / SIMILARITY_ACCOUNT_SIZE,
    );
    expect(autoAccounts({ defense: { id: 'none', options: {} } }, 4000)).toBe(1);
    expect(autoAccounts({}, 4000)).toBe(1);
  });

  it('the diverse assignment is balanced and its accounts hold less similar pairs than a round-robin split', () => {
    // The pool holds every image twice, 30 apart (a repeat is the nearest duplicate there is): round-robin over 3
    // accounts puts both copies in the same account.
    const base = tinyImages(30, 5);
    const data = new Float32Array(60 * 28 * 28);
    data.set(base.data, 0);
    data.set(base.data, 30 * 28 * 28);
    const images = { data, count: 60, height: 28, width: 28, channels: 1 };
    const diverse = diverseAssignment(images, 3, 7);
    const counts = [0, 1, 2].map((a) => diverse.filter((x) => x === a).length);
    expect(counts).toEqual([20, 20, 20]);
    // 40 images over 3 accounts: 14, 13, 13 (not 14, 14, 12).
    const uneven = diverseAssignment(tinyImages(40, 6), 3, 7);
    expect([0, 1, 2].map((a) => uneven.filter((x) => x === a).length)).toEqual([14, 13, 13]);
    const sharedTwins = (assignment: Int32Array) =>
      Array.from({ length: 30 }, (_, i) => i).filter((i) => assignment[i] === assignment[i + 30]).length;
    expect(sharedTwins(roundRobin(60, 3))).toBe(30);
    // Greedy with full accounts skipped: the last few images may have no choice left, so a few twins may still meet.
    expect(sharedTwins(diverse)).toBeLessThanOrEqual(3);
    // Accounts without a twin pair have their closest pair clearly below a duplicate's similarity of 1.
    const closest = closestPairPerAccount(images, diverse, 3, 11);
    const accountsWithTwins = new Set(
      Array.from({ length: 30 }, (_, i) => i)
        .filter((i) => diverse[i] === diverse[i + 30])
        .map((i) => diverse[i]),
    );
    closest.forEach((value, account) => {
      if (!accountsWithTwins.has(account)) expect(value).toBeLessThan(0.999);
    });
    expect(Math.max(...closestPairPerAccount(images, roundRobin(60, 3), 3, 11))).toBeGreaterThan(0.999);
  });

  it('against similar-query detection it drops the garbage answers and still steals', async () => {
    const deployment = createTinyVictim(11);
    // Threshold 0.5 flags 62 of these 64 queries, so only knowing the garbage's public distribution finds them all.
    const raw = { threshold: 0.5, useHead: false };
    const options = resolveOptions('defense', similarQueryDetection, raw) as never;
    const guard = await similarQueryDetection.guard!(deployment, options, { seed: 1, log: () => {} });
    const run = await stealFromTinyVictim(
      plugin,
      { width: 0.25, steps: 4, accounts: 1, batchSize: 16 },
      {
        budget: 64,
        deployment,
        guard,
        defense: publicDefense(similarQueryDetection, options as Record<string, unknown>),
      },
    );
    run.model.dispose();
    const line = run.logs.find((l) => l.includes('garbage answers dropped'));
    expect(line).toContain(', 62 garbage answers dropped');
  }, 60_000);

  it('spreading over accounts lowers what the per-account defenses see: flags and proof-of-work', async () => {
    const deployment = createTinyVictim(11);
    const sqdOptions = resolveOptions('defense', similarQueryDetection, { threshold: 0.99, useHead: false }) as Record<
      string,
      unknown
    >;
    const powOptions = resolveOptions('defense', proofOfWork, {
      legitimateBits: 3,
      hyperplanes: 6,
      solveCapBits: 8,
    }) as Record<string, unknown>;
    // The audit of one 128-query steal over `accounts` accounts behind a defense (the attack told its public options).
    const auditBehind = async (
      defense: typeof similarQueryDetection | typeof proofOfWork,
      options: Record<string, unknown>,
      accounts: number,
    ) => {
      const guard = await defense.guard!(deployment, options as never, { seed: 1, log: () => {} });
      const run = await stealFromTinyVictim(
        plugin,
        { width: 0.25, steps: 1, accounts },
        { budget: 128, deployment, guard, defense: publicDefense(defense, options), maxAccounts: 8, heldOut: 4 },
      );
      run.model.dispose();
      return run.audit;
    };
    const figures: Record<string, number> = {};
    for (const accounts of [1, 8]) {
      const flagged = await auditBehind(similarQueryDetection, sqdOptions, accounts);
      figures[`flagged, ${accounts} account(s)`] = flagged.reduce((sum, e) => sum + (e.guard?.flaggedCount ?? 0), 0);
      const paid = await auditBehind(proofOfWork, powOptions, accounts);
      figures[`hashes, ${accounts} account(s)`] = paid.reduce((sum, e) => sum + (e.guard?.cost?.hashes ?? 0), 0);
    }
    console.log(`sybil-spread on the tiny victim, 128 queries: ${JSON.stringify(figures)}`);
    expect(figures['flagged, 8 account(s)']!).toBeLessThan(figures['flagged, 1 account(s)']!);
    expect(figures['hashes, 8 account(s)']!).toBeLessThan(figures['hashes, 1 account(s)']!);
  }, 120_000);
});
