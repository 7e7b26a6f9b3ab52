// Contract of the simclr-fmnist-independent recipe (meta, plain-JSON recipe, known splits) and, once shipped, that the weights in
// weights/ were trained from this exact recipe (metrics.json names its hash) and recorded their probe accuracies.
import { describe, expect, it } from 'vitest';
import { testVictim } from '../../benchmark/testkit/index.ts';
import { readMetrics, shippedDir, victimHash } from '../../benchmark/victims/index.ts';
import plugin from './index.ts';

testVictim(plugin);

describe('simclr-fmnist-independent shipped weights', () => {
  it('are trained from this recipe and record a probe accuracy per downstream task', async () => {
    const metrics = await readMetrics(shippedDir(plugin.meta.id));
    expect(metrics, 'no victims/simclr-fmnist-independent/weights/metrics.json: run `stealbench train-victim simclr-fmnist-independent --ship`').toBeDefined();
    expect(metrics!.hash).toBe(victimHash(plugin.recipe));
    expect(metrics!.recipe).toEqual(JSON.parse(JSON.stringify(plugin.recipe)));
    for (const task of plugin.recipe.downstream ?? []) expect(metrics!.probes[task]!.accuracy).toBeGreaterThan(0.1);
    expect(metrics!.epochLosses).toHaveLength(plugin.recipe.epochs);
  });
});
