// noise-averaging: the kit's contract; the repeat rule and the noise/signal estimate on hand-worked numbers; against
// gaussian-noise it spends the whole budget on repeats it measured or read from the public sigma, and averaging paid
// repeats of the same images makes a closer copy than one noisy answer each (whether that beats spending the same
// budget on more distinct images is what the README's measurements ask).
import { describe, expect, it } from 'vitest';
import { createTinyVictim, testAttack } from '../../benchmark/testkit/index.ts';
import gaussianNoise from '../../defenses/gaussian-noise/index.ts';
import { ckaTo, stealFromTinyVictim } from '../_shared/testing.ts';
import plugin, { noiseToSignal, repeatsFor } from './index.ts';
import { resolveOptions, publicDefense } from '../../benchmark/testkit/index.ts';

testAttack(plugin, {
  cases: [
    { name: 'auto (no noise measured: one answer each), one step', options: { width: 0.25, steps: 1 }, budget: 64 },
    { name: 'three repeats, one step', options: { width: 0.25, steps: 1, repeats: 3 }, budget: 50 },
  ],
  invalid: [
    { options: { repeats: 0 }, error: '/repeats' },
    { options: { targetNoise: 0 }, error: '/targetNoise' },
  ],
});

describe('noise-averaging rules', () => {
  it('repeats bring noise of ratio × spread down to the target', () => {
    expect(repeatsFor(1, 0.5, 16)).toBe(4);
    expect(repeatsFor(0.5, 0.5, 16)).toBe(1);
    expect(repeatsFor(0.6, 0.5, 16)).toBe(2); // (0.6 / 0.5)² = 1.44 -> 2
    expect(repeatsFor(10, 0.5, 16)).toBe(16);
    expect(repeatsFor(0, 0.5, 16)).toBe(1);
  });

  it('estimates noise and signal variance from two answers per image (hand-worked)', () => {
    // One coordinate, images with true values 0 and 2, noise ±1: answers (1, -1) and (3, 1).
    const first = { data: Float32Array.from([1, 3]), count: 2, dim: 1 };
    const second = { data: Float32Array.from([-1, 1]), count: 2, dim: 1 };
    const r = noiseToSignal(first, second);
    // noise: ((1-(-1))² + (3-1)²) / 2 / 2 = 2; averages 0 and 2, mean 1, sample variance 2, minus noise/2 = 1.
    expect(r.noiseVariance).toBeCloseTo(2, 10);
    expect(r.signalVariance).toBeCloseTo(1, 10);
    expect(r.ratio).toBeCloseTo(Math.SQRT2, 10);
    expect(noiseToSignal(first, first).ratio).toBe(0);
  });
});

describe('noise-averaging against gaussian-noise', () => {
  const deployment = createTinyVictim(11);
  const noisy = async (sigma: number) => {
    const options = resolveOptions('defense', gaussianNoise, { sigma, units: 'absolute' }) as Record<string, unknown>;
    return {
      guard: await gaussianNoise.guard!(deployment, options as never, { seed: 4, log: () => {} }),
      view: publicDefense(gaussianNoise, options),
    };
  };

  it('measures the noise when the scale is absolute, then spends the whole budget on averaged answers', async () => {
    const { guard, view } = await noisy(0.5);
    const run = await stealFromTinyVictim(
      plugin,
      { width: 0.25, steps: 2 },
      { budget: 200, deployment, guard, defense: view, heldOut: 8 },
    );
    run.model.dispose();
    const measured = run.logs.find((l) => l.includes('measured noise/spread'));
    expect(measured).toMatch(/-> ([2-9]|1[0-6]) repeats/);
    expect(run.used).toBeLessThanOrEqual(200);
    expect(run.used).toBeGreaterThan(200 - 16); // what is left is less than one more image's repeats
    expect(run.refusals).toBe(0);
  }, 60_000);

  it('reads the repeats from a public sigma in victim units', async () => {
    const { guard } = await noisy(0.5);
    const view = { id: 'gaussian-noise', options: { sigma: 1.5, mean: 0, units: 'victim' } };
    const run = await stealFromTinyVictim(
      plugin,
      { width: 0.25, steps: 1 },
      { budget: 90, deployment, guard, defense: view, heldOut: 8 },
    );
    run.model.dispose();
    expect(run.logs).toContain('noise-averaging: public sigma 1.5 (victim units) -> 9 repeats');
    expect(run.logs).toContain('noise-averaging: 10 distinct images, 9 answers each (calibration images: 9)');
    expect(run.used).toBe(90);
  }, 60_000);

  it('averaging paid repeats of the same images makes a closer copy than one noisy answer each', async () => {
    // The mechanism, not the budget trade-off: the same 128 images, 4 answers each (512 queries) against 1 each.
    const common = { width: 0.5, steps: 60, learningRate: 0.003 };
    const cka: Record<string, number> = {};
    for (const [repeats, budget] of [
      [4, 512],
      [1, 128],
    ] as const) {
      const { guard, view } = await noisy(1.0);
      const run = await stealFromTinyVictim(
        plugin,
        { ...common, repeats },
        { budget, deployment, guard, defense: view, seed: 3 },
      );
      cka[String(repeats)] = ckaTo(run.model, run.heldOut, run.victimRepresentations);
      run.model.dispose();
    }
    console.log(`noise-averaging, sigma 1.0 absolute, the same 128 images: CKA to the victim ${JSON.stringify(cka)}`);
    expect(cka['4']!).toBeGreaterThan(cka['1']!);
  }, 240_000);
});
