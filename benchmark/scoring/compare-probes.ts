// Measures the exact probe (L-BFGS on the L2-regularised convex problem) against the paper's Adam recipe on the
// same features of several encoders, before either is used for the leaderboard. Features are computed once per
// encoder and split; both fits then run on the same standardised matrices. The L2 coefficient of the exact probe is
// chosen on a validation slice of probe-train (its last fifth), never on probe-test.
//   npx tsx benchmark/scoring/compare-probes.ts [--train <split>] [--test <split>] [--l2 0.01,0.001] [--quick]
//     [--victims id,id] [--random-inits 1,2] [--skip-pixels]
import { parseArgs } from 'node:util';
import { initEngine } from '../engine/index.ts';
import { loadSplit } from '../data/splits.ts';
import { createEncoder, type EncoderSpec } from '../nn/encoders.ts';
import { embed, pixelFeatures, probeOnFeatures, type LabelledFeatures, type ProbeRecipe } from '../nn/probe.ts';
import { classCount } from '../nn/tensors.ts';
import { readMetrics, readVictimDir, shippedDir } from '../victims/index.ts';
import type { ImageSet, Vectors } from '../plugin/types.ts';

const { values } = parseArgs({
  options: {
    train: { type: 'string', default: 'fmnist/probe-train' },
    test: { type: 'string', default: 'fmnist/probe-test' },
    quick: { type: 'boolean', default: false },
    l2: { type: 'string' },
    victims: { type: 'string' },
    'random-inits': { type: 'string' },
    'skip-pixels': { type: 'boolean', default: false },
  },
});

const ADAM: Partial<ProbeRecipe> = { optimizer: 'adam' };
const L2_GRID = values.l2 ? values.l2.split(',').map(Number) : [1e-1, 1e-2, 1e-3, 1e-4];
const VICTIMS =
  values.victims !== undefined
    ? values.victims.split(',').filter(Boolean)
    : values.quick
      ? ['simclr-fmnist']
      : ['simclr-fmnist', 'barlow-fmnist', 'simsiam-fmnist', 'supervised-fmnist', 'simclr-fmnist-independent'];
const RANDOM_INITS =
  values['random-inits'] !== undefined
    ? values['random-inits'].split(',').filter(Boolean).map(Number)
    : values.quick
      ? [1]
      : [1, 2];

await initEngine({ backend: 'auto' });
const train = await loadSplit(values.train!);
const test = await loadSplit(values.test!);
const classes = Math.max(classCount(train, 'train'), classCount(test, 'test'));
const fifth = Math.floor(train.count / 5);

function rows(v: Vectors, labels: Int32Array, start: number, end: number): LabelledFeatures {
  return {
    data: v.data.subarray(start * v.dim, end * v.dim),
    count: end - start,
    dim: v.dim,
    labels: labels.subarray(start, end),
  };
}

interface Measured {
  encoder: string;
  dim: number;
  train: LabelledFeatures;
  test: LabelledFeatures;
  validation: Record<string, number>;
  adam: number;
  adamSeconds: number;
}

function timed<T>(work: () => T): [T, number] {
  const start = performance.now();
  const result = work();
  return [result, (performance.now() - start) / 1000];
}

/** Features once per encoder and split; the validation accuracy of each λ; the Adam recipe on the test split. */
async function measure(name: string, features: (images: ImageSet) => Promise<Vectors> | Vectors): Promise<Measured> {
  const trainF = await features(train);
  const testF = await features(test);
  const fitPart = rows(trainF, train.labels!, 0, train.count - fifth);
  const validPart = rows(trainF, train.labels!, train.count - fifth, train.count);
  const validation: Record<string, number> = {};
  for (const l2 of L2_GRID)
    validation[l2] = probeOnFeatures(fitPart, validPart, classes, { optimizer: 'lbfgs', l2 }).accuracy;
  const all = rows(trainF, train.labels!, 0, train.count);
  const testAll = rows(testF, test.labels!, 0, test.count);
  const [adam, adamSeconds] = timed(() => probeOnFeatures(all, testAll, classes, ADAM, 0));
  const m = { encoder: name, dim: trainF.dim, train: all, test: testAll, validation, adam: adam.accuracy, adamSeconds };
  console.error(JSON.stringify({ ...m, train: undefined, test: undefined }));
  return m;
}

const measured: Measured[] = [];
if (!values['skip-pixels']) measured.push(await measure('raw pixels', pixelFeatures as (images: ImageSet) => Vectors));
const spec = (await readMetrics(shippedDir('simclr-fmnist')))!.recipe.encoder as unknown as EncoderSpec;
for (const seed of RANDOM_INITS) {
  const encoder = createEncoder(spec, seed);
  measured.push(await measure(`random ${spec.arch} (init ${seed})`, (images) => embed(encoder, images)));
  encoder.dispose();
}
for (const id of VICTIMS) {
  const victim = await readVictimDir(shippedDir(id));
  measured.push(await measure(`${id} (shipped)`, (images) => embed(victim.encoder, images)));
  victim.encoder.dispose();
  victim.projectionHead?.dispose();
}

// One λ for every encoder (a recipe is one setting): the best mean validation accuracy over the encoders.
const meanValidation = (l2: number) => measured.reduce((sum, m) => sum + m.validation[l2]!, 0) / measured.length;
const l2 = L2_GRID.reduce((best, l) => (meanValidation(l) > meanValidation(best) ? l : best), L2_GRID[0]!);
const results = measured.map((m) => {
  const [exact, lbfgsSeconds] = timed(() => probeOnFeatures(m.train, m.test, classes, { optimizer: 'lbfgs', l2 }, 0));
  const row = { ...m, lbfgs: exact.accuracy, lbfgsSeconds, fit: exact.fit };
  console.error(JSON.stringify({ ...row, train: undefined, test: undefined }));
  return row;
});

const pct = (x: number) => (100 * x).toFixed(2);
// Paired test noise: the two probes score the same images, so only the images on which they disagree matter; a
// difference within 2 standard errors of one probe's accuracy (binomial, n = test.count) counts as the same.
console.log(
  `train ${values.train} (${train.count}), test ${values.test} (${test.count}); ` +
    `λ = ${l2}, the best mean validation accuracy over the encoders of the ` +
    `grid ${L2_GRID.join(', ')} (fit on the first ${train.count - fifth} of ` +
    `probe-train, validated on its last ${fifth})\n`,
);
console.log('| encoder | dim | Adam (paper recipe) | time | L-BFGS | time | L-BFGS evaluations | difference | 2 SE |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of results) {
  const se = Math.sqrt((r.adam * (1 - r.adam)) / test.count);
  console.log(
    `| ${r.encoder} | ${r.dim} | ${pct(r.adam)} | ${r.adamSeconds.toFixed(1)} ` +
      `s | ${pct(r.lbfgs)} | ${r.lbfgsSeconds.toFixed(1)} s | ${r.fit?.evaluations} ` +
      `| ${(100 * (r.lbfgs - r.adam)).toFixed(2)} | ${(200 * se).toFixed(2)} ` +
      `|`,
  );
}
