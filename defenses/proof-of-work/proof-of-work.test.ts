// Proof-of-work: puzzles verify by recomputing the hash, difficulty rises with deviation from the legitimate profile,
// and the work each account did accumulates into its report (solved and estimated parts kept apart).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import proofOfWork, { difficultyBits } from './index.ts';
import { leadingZeroBits, solvePuzzle, verifyPuzzle } from './puzzle.ts';
import { imageBatch, openGuard, requestFor, rowsOf, tinyDeployment } from '../../test/helpers/tiny-deployment.ts';
import { testDefense } from '../../benchmark/testkit/index.ts';
import { createRng } from '../../benchmark/index.ts';

const victim = tinyDeployment({ inputShape: [2, 2, 1], representationDim: 6, seed: 3 });
const rng = createRng(5);
const spread = Array.from({ length: 128 }, () => Array.from({ length: 4 }, () => rng.next()));
const similar = Array.from({ length: 128 }, () => [0.8, 0.1, 0.4, 0.3].map((v) => v + 0.0005 * rng.normal()));

describe('HashCash puzzles', () => {
  it('counts leading zero bits', () => {
    expect(leadingZeroBits(Uint8Array.of(0x00, 0x0f, 0xff))).toBe(12);
    expect(leadingZeroBits(Uint8Array.of(0x80))).toBe(0);
    expect(leadingZeroBits(Uint8Array.of(0x01))).toBe(7);
    expect(leadingZeroBits(Uint8Array.of(0, 0))).toBe(16);
  });

  it('finds the first nonce whose sha256 starts with the zero bits asked, which an independent hash confirms', () => {
    const { nonce, hashes, digest } = solvePuzzle('account-a:17', 8);
    const recomputed = createHash('sha256').update(`account-a:17:${nonce}`).digest('hex');
    expect(recomputed).toBe(digest);
    expect(recomputed.startsWith('00')).toBe(true);
    expect(hashes).toBe(nonce + 1);
    expect(verifyPuzzle('account-a:17', nonce, 8)).toBe(true);
    for (let earlier = 0; earlier < nonce; earlier++) expect(verifyPuzzle('account-a:17', earlier, 8)).toBe(false);
    // A solution is bound to its challenge.
    expect(verifyPuzzle('account-b:17', nonce, 8) && verifyPuzzle('account-b:17', nonce, 9)).toBe(false);
  });
});

describe('proof-of-work difficulty', () => {
  const o = { legitimateBits: 3, baseBits: 4, maxBits: 12, scale: 2 };
  it('follows the calibration by hand', () => {
    expect(difficultyBits(0, o)).toBe(4);
    expect(difficultyBits(3, o)).toBe(4);
    expect(difficultyBits(4.2, o)).toBe(4 + Math.round(2.4));
    expect(difficultyBits(5, o)).toBe(8);
    expect(difficultyBits(20, o)).toBe(12);
  });

  it('rises for an account that spreads its queries, not for one that repeats similar queries', async () => {
    // The linear test victim's outputs sit in a cone: hyperplanes through the probe centre split it (the default
    // centre, 'origin', is calibrated for the ReLU representations of simclr-fmnist).
    const options = { center: 'probe', hyperplanes: 4, legitimateBits: 1, baseBits: 2, scale: 2, solveCapBits: 10 };
    const guard = await openGuard(proofOfWork, victim, options);
    const legit = await guard.answer(await requestFor(victim, 'legit', imageBatch(similar)));
    const attacker = await guard.answer(await requestFor(victim, 'attacker', imageBatch(spread)));
    const report = Object.fromEntries(guard.report!().map((r) => [r.account, r]));
    expect(report.legit!.flagged).toBe(false);
    expect(report.attacker!.flagged).toBe(true);
    expect(report.attacker!.score!).toBeGreaterThan(report.legit!.score! + 1);
    const maxBits = (cost: unknown) => (cost as { maxBits: number }).maxBits;
    expect(maxBits(legit.cost)).toBe(2);
    expect(maxBits(attacker.cost)).toBeGreaterThanOrEqual(4);
    expect(attacker.cost!.hashes!).toBeGreaterThan(legit.cost!.hashes!);
    // The answers themselves are untouched.
    expect(rowsOf(legit.answer)).toEqual(rowsOf((await requestFor(victim, 'legit', imageBatch(similar))).clean));
  });
});

describe('proof-of-work calibration on the provider data', () => {
  const privateData = { ...imageBatch(spread), name: 'private', labels: null };

  it.each([1, 2, 3, 4, 5])(
    'sets the profile to the entropy of that data plus the margin (seed ' +
      '%i): the same traffic scores -margin, unflagged',
    async (seed) => {
      // The planes change with the seed, so the entropy of the same traffic does too; the profile follows it.
      const options = {
        center: 'probe',
        hyperplanes: 6,
        calibrationQueries: 1000,
        marginBits: 0.25,
        baseBits: 2,
        scale: 4,
        solveCapBits: 10,
      };
      const guard = await openGuard(proofOfWork, victim, options, seed, privateData);
      // calibrationQueries >= the set: the profile saw exactly these 128 images, in another order (entropy ignores
      // order).
      await guard.answer(await requestFor(victim, 'same-traffic', imageBatch(spread)));
      await guard.answer(await requestFor(victim, 'repeats', imageBatch(similar)));
      const report = Object.fromEntries(guard.report!().map((r) => [r.account, r]));
      expect(report['same-traffic']!.score!).toBeCloseTo(-0.25, 12);
      expect(report['same-traffic']!.flagged).toBe(false);
      expect(report.repeats!.score!).toBeLessThan(-1);
    },
  );

  it('flags an account that spreads wider than the provider data', async () => {
    const options = { center: 'probe', hyperplanes: 6, marginBits: 0.25, baseBits: 2, scale: 4, solveCapBits: 10 };
    const narrow = { ...imageBatch(similar), name: 'private', labels: null };
    const guard = await openGuard(proofOfWork, victim, options, 1, narrow);
    await guard.answer(await requestFor(victim, 'spreader', imageBatch(spread)));
    const [spreader] = guard.report!();
    expect(spreader!.flagged).toBe(true);
    expect(spreader!.score!).toBeGreaterThan(1);
  });

  it("says what is missing when 'calibrate' has no provider data", async () => {
    await expect(openGuard(proofOfWork, victim, {})).rejects.toThrow(/calibrate.*loadPrivateData/);
  });
});

describe('proof-of-work cost', () => {
  it('accumulates per account over batches, one puzzle per query', async () => {
    const guard = await openGuard(proofOfWork, victim, {
      hyperplanes: 4,
      legitimateBits: 3.5,
      baseBits: 6,
      solveCapBits: 10,
    });
    let hashes = 0;
    let seconds = 0;
    for (let i = 0; i < 128; i += 32) {
      const { cost } = await guard.answer(await requestFor(victim, 'a', imageBatch(spread.slice(i, i + 32))));
      expect(cost!.hashes!).toBeGreaterThanOrEqual(32);
      hashes += cost!.hashes!;
      seconds += cost!.seconds!;
    }
    const [a] = guard.report!();
    const total = a!.cost as { hashes: number; seconds: number; puzzles: number; estimatedHashes: number };
    expect(total.hashes).toBe(hashes);
    expect(total.seconds).toBeCloseTo(seconds, 12);
    expect(total.puzzles).toBe(128);
    expect(total.estimatedHashes).toBe(0);
    // 128 puzzles of at least 6 bits: about 128·64 hashes expected; far below that would mean puzzles were skipped.
    expect(hashes).toBeGreaterThan(128 * 64 * 0.5);
  });

  it('records 2^bits expected hashes above the solving cap and says they were estimated', async () => {
    const guard = await openGuard(proofOfWork, victim, {
      hyperplanes: 4,
      legitimateBits: 3.5,
      baseBits: 20,
      maxBits: 20,
      solveCapBits: 8,
    });
    const response = await guard.answer(await requestFor(victim, 'a', imageBatch(similar.slice(0, 10))));
    const cost = response.cost as {
      hashes: number;
      seconds: number;
      estimatedHashes: number;
      estimatedSeconds: number;
    };
    expect(cost.hashes).toBe(10 * 2 ** 20);
    expect(cost.estimatedHashes).toBe(10 * 2 ** 20);
    expect(cost.estimatedSeconds).toBe(cost.seconds);
    expect(cost.seconds).toBeGreaterThan(0);
    expect(response.note).toMatch(/estimated/);
  });

  it('rejects maxBits below baseBits', async () => {
    await expect(openGuard(proofOfWork, victim, { baseBits: 10, maxBits: 5 })).rejects.toThrow(/maxBits/);
  });
});

// The contributor kit's contract checks (CONTRIBUTING.md): options schema, answers shaped like the batch, no mutation
// of the request, determinism under a seed, report shape.
testDefense(proofOfWork, {
  cases: [{ options: { solveCapBits: 8 } }],
  invalid: [{ options: { baseBits: -1 }, issue: { path: '/baseBits', keyword: 'minimum' } }],
});
