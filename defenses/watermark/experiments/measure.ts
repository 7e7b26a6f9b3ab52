// Measures the watermark on the CPU profile's victim (defenses/watermark/README.md, "Measured"):
//   1. trains simclr-fmnist with the watermark (default options; cached under the recipe+extra hash, so benchmark
//      cells with `defense: watermark` reuse it) and compares its linear-probe accuracy with the clean victim's;
//   2. verifies ownership with default options for: the watermarked victim itself, the clean victim (same recipe,
//      no watermark) and the independent encoder (simclr-fmnist-independent, when shipped or cached);
//   3. the control "how much rotation information does the clean victim carry": the clean victim as the defender.
// Usage: npx tsx defenses/watermark/experiments/measure.ts [--out file.json] [--train-independent]
import { writeFileSync } from 'node:fs';
import watermark, { type WatermarkOptions } from '../index.ts';
import { experimentCommand, runIfMain, victimAvailable } from '../../../benchmark/testkit/index.ts';
import {
  initEngine,
  loadSplit,
  embed,
  type ImageBatch,
  type OwnershipContext,
  type OwnershipResult,
} from '../../../benchmark/index.ts';
import { resolveOptions, deployVictim, loadVictim, type LoadedVictim } from '../../../benchmark/testkit/index.ts';

/** How a victim of the measurement was trained, for the results file (both victims are recorded alike). */
const trainingOf = (v: LoadedVictim) => ({
  source: v.source,
  hash: v.hash,
  seconds: v.metrics?.trainingSeconds,
  probes: v.metrics?.probes,
  epochLosses: v.metrics?.epochLosses,
});

async function run(args: { out: string; trainIndependent: boolean }): Promise<void> {
  const { out, trainIndependent } = args;
  const log = (m: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`);

  const engine = await initEngine({ backend: 'wasm' });
  const options = resolveOptions('defense', watermark, {}) as WatermarkOptions;
  const extra = watermark.prepareVictim!(options);
  log(`backend ${engine.backend}; watermark options ${JSON.stringify(options)}`);

  let lastReport = 0;
  const marked = await loadVictim('simclr-fmnist', {
    extra,
    trainHook: watermark.victimTrainHook!(options),
    log,
    onProgress: (done, total, message) => {
      if (done !== total && performance.now() - lastReport <= 30_000) return;
      lastReport = performance.now();
      log(`watermarked victim: ${done}/${total} ${message ?? ''}`);
    },
  });
  log(`watermarked victim from ${marked.source} (${marked.dir}), trained in ${marked.metrics?.trainingSeconds} s`);
  const clean = await loadVictim('simclr-fmnist', { log });
  let independent: LoadedVictim | undefined;
  if (trainIndependent || (await victimAvailable('simclr-fmnist-independent')))
    independent = await loadVictim('simclr-fmnist-independent', { log });
  else
    log(
      'independent encoder not trained yet (stealbench train-victim ' +
        'simclr-fmnist-independent, or pass --train-independent)',
    );

  const privateData = await loadSplit(marked.recipe.data);
  const publicData = await loadSplit('fmnist/probe-test');
  const features = (v: LoadedVictim) => (images: ImageBatch) => embed(v.encoder, images);
  async function verify(defender: LoadedVictim, suspect: LoadedVictim): Promise<OwnershipResult & { seconds: number }> {
    const started = performance.now();
    const ctx: OwnershipContext = {
      seed: 1,
      log,
      victim: deployVictim(defender),
      privateData,
      publicData,
      suspect: features(suspect),
    };
    const r = await watermark.verifyOwnership!(options, ctx);
    return { ...r, seconds: (performance.now() - started) / 1000 };
  }

  const results: Record<string, unknown> = {
    generatedAt: new Date().toISOString(),
    backend: engine.backend,
    options,
    extra,
    training: { watermarked: trainingOf(marked), clean: trainingOf(clean) },
    ownership: {
      'watermarked victim itself': await verify(marked, marked),
      'clean victim (same recipe, no watermark)': await verify(marked, clean),
      ...(independent ? { 'independent encoder (seed 2)': await verify(marked, independent) } : {}),
      'control: clean victim as the defender, itself as suspect': await verify(clean, clean),
      ...(independent
        ? { 'control: clean victim as the defender, independent suspect': await verify(clean, independent) }
        : {}),
    },
  };
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote ${out}`);
  for (const [name, r] of Object.entries(results.ownership as Record<string, OwnershipResult>)) {
    log(
      `${name}: success ${r.details?.successRate}, victim ${r.details?.victimSuccess}, ` +
        `t ${r.statistic.toFixed(2)}, p ${r.pValue.toExponential(2)}, stolen ${r.stolen}`,
    );
  }
}

export const command = experimentCommand(
  'measure',
  'Measures the watermark: cost on the victim, verdicts on the victim, a clean copy and the independent encoder.',
)
  .option('--out <file>', 'where the JSON goes', 'defenses/watermark/experiments/results.json')
  .option('--train-independent', 'train the independent encoder when it is neither shipped nor cached', false)
  .action((options: { out: string; trainIndependent: boolean }) => run(options));

runIfMain(import.meta.url, command);
