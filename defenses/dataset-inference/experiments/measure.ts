// Measures dataset inference on the CPU profile's victim (defenses/dataset-inference/README.md, "Measured"): the
// verdict for the victim itself as the suspect (the strongest possible "stolen copy"), for the independent encoder
// (simclr-fmnist-independent: same recipe and private data, seed 2; when shipped or cached) and for the same
// architecture with random weights, with the three methods and both GMM fits. Private data: the victim's own training
// split (its recipe's); public data: the fmnist task's probe-test split, never trained on (as the cell executor passes
// them).
// Usage: npx tsx defenses/dataset-inference/experiments/measure.ts [--victim id] [--out file.json]
// (--victim supervised-fmnist: the supervised victim, for the paper's self-supervised vs supervised contrast.)
import { writeFileSync } from 'node:fs';
import datasetInference, { type DatasetInferenceOptions } from '../index.ts';
import { experimentCommand, runIfMain, victimAvailable } from '../../../benchmark/testkit/index.ts';
import {
  initEngine,
  loadSplit,
  createEncoder,
  embed,
  type ImageBatch,
  type OwnershipResult,
} from '../../../benchmark/index.ts';
import {
  resolveOptions,
  deployVictim,
  downstreamSplits,
  encoderSpecOf,
  findVictim,
  loadVictim,
} from '../../../benchmark/testkit/index.ts';

async function run(args: { victim: string; out?: string }): Promise<void> {
  const { victim: victimId } = args;
  const out = args.out ?? `defenses/dataset-inference/experiments/results-${victimId}.json`;
  const log = (m: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`);

  const engine = await initEngine({ backend: 'wasm' });
  const victim = await loadVictim(victimId, { log });
  const deployment = deployVictim(victim);
  const privateData = await loadSplit(victim.recipe.data);
  const publicSplit = downstreamSplits('fmnist').test;
  const publicData = await loadSplit(publicSplit);
  const suspects: Record<
    string,
    (images: ImageBatch) => Promise<import('../../../benchmark/plugin/types.ts').Vectors>
  > = {
    'victim itself': (images) => embed(victim.encoder, images),
  };
  if (victimId === 'simclr-fmnist' && (await victimAvailable('simclr-fmnist-independent'))) {
    const independent = await loadVictim('simclr-fmnist-independent', { log });
    suspects['independent encoder (seed 2)'] = (images) => embed(independent.encoder, images);
  } else log('independent encoder not trained yet: skipped');
  const random = createEncoder(encoderSpecOf(await findVictim(victimId)), 12345);
  suspects['same architecture, random weights'] = (images) => embed(random, images);

  const variants: [string, Partial<DatasetInferenceOptions>][] = [
    ['gmm-likelihood, GMM fitted on the victim (default)', {}],
    ['gmm-likelihood, GMM fitted on the suspect', { fitOn: 'suspect' }],
    ['augmentation-distance (table 19), 4 views', { method: 'augmentation-distance' }],
    ['head-loss (§5.4), projection-head loss', { method: 'head-loss' }],
  ];
  const rows: Record<string, unknown>[] = [];
  for (const [variant, raw] of variants) {
    const options = resolveOptions('defense', datasetInference, raw) as DatasetInferenceOptions;
    for (const [suspect, encode] of Object.entries(suspects)) {
      const started = performance.now();
      const r: OwnershipResult = await datasetInference.verifyOwnership!(options, {
        seed: 1,
        log,
        victim: deployment,
        privateData,
        publicData,
        suspect: encode,
      });
      rows.push({ variant, suspect, options, ...r, seconds: (performance.now() - started) / 1000 });
      log(
        `${variant} | ${suspect}: t ${r.statistic.toFixed(3)}, p ${r.pValue.toExponential(3)}, ` +
          `stolen ${r.stolen}, ${JSON.stringify(r.details)}`,
      );
    }
  }
  writeFileSync(
    out,
    `${JSON.stringify({ generatedAt: new Date().toISOString(), backend: engine.backend, victim: { id: victim.id, hash: victim.hash, source: victim.source }, data: { private: victim.recipe.data, public: publicSplit }, rows }, null, 2)}\n`,
  );
  log(`wrote ${out}`);
}

export const command = experimentCommand(
  'measure',
  'Dataset inference on the victim itself, the independent encoder and random weights.',
)
  .option('--victim <id>', 'victim id', 'simclr-fmnist')
  .option('--out <file>', 'where the JSON goes (default experiments/results-<victim>.json)')
  .action((options: { victim: string; out?: string }) => run(options));

runIfMain(import.meta.url, command);
