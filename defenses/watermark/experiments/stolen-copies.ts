// Watermark success of copies stolen from the watermarked victim, without the cell executor: the real
// direct-extraction attack plugin (in-process, through an oracle account with the budget) steals from the watermarked
// victim at each budget, then the watermark is verified on the stolen copy (default options). Controls: the clean
// victim (same recipe and seed, no watermark) and simclr-fmnist-independent (same recipe, seed 2).
// Usage: npx tsx defenses/watermark/experiments/stolen-copies.ts [--budgets 1000,4000] [--loss mse]
//          [--recipe '{"temperature":0.5}'] [--out file.json]
// --recipe overrides fields of simclr-fmnist's recipe (to reuse a cached watermarked victim of an earlier recipe).
import { writeFileSync } from 'node:fs';
import directExtraction from '../../../attacks/direct-extraction/index.ts';
import watermark, { type WatermarkOptions } from '../index.ts';
import { experimentCommand, integerList, jsonObject, runIfMain } from '../../../benchmark/testkit/index.ts';
import {
  initEngine,
  loadSplit,
  embed,
  linearProbe,
  type ImageBatch,
  type OwnershipResult,
  type VictimPlugin,
  deriveSeed,
} from '../../../benchmark/index.ts';
import {
  createOracle,
  queryPlan,
  takePlan,
  resolveOptions,
  deployVictim,
  findVictim,
  loadVictim,
} from '../../../benchmark/testkit/index.ts';

async function run(args: {
  budgets: number[];
  loss: string;
  recipe: Record<string, unknown>;
  out: string;
}): Promise<void> {
  const { budgets, loss, recipe: override, out } = args;
  const log = (m: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`);

  const engine = await initEngine({ backend: 'wasm' });
  const base = await findVictim('simclr-fmnist');
  const plugin: VictimPlugin = { meta: base.meta, recipe: { ...base.recipe, ...override } };
  const options = resolveOptions('defense', watermark, {}) as WatermarkOptions;
  const marked = await loadVictim(plugin, {
    extra: watermark.prepareVictim!(options),
    trainHook: watermark.victimTrainHook!(options),
    log,
  });
  const clean = await loadVictim(plugin, { log });
  log(`watermarked ${marked.hash.slice(0, 12)} (${marked.source}), clean ${clean.hash.slice(0, 12)} (${clean.source})`);
  const deployment = deployVictim(marked);
  const privateData = await loadSplit(plugin.recipe.data);
  const publicData = await loadSplit('fmnist/probe-test');
  const probeTrain = await loadSplit('fmnist/probe-train');
  const pool = await loadSplit('fmnist/attacker-pool');
  const verify = (suspect: (images: ImageBatch) => Promise<import('../../../benchmark/plugin/types.ts').Vectors>) =>
    watermark.verifyOwnership!(options, { seed: 1, log, victim: deployment, privateData, publicData, suspect });

  const rows: Record<string, unknown>[] = [];
  const record = (suspect: string, r: OwnershipResult, extra: Record<string, unknown> = {}) => {
    rows.push({ suspect, ...extra, ...r });
    log(
      `${suspect}: success ${(100 * Number(r.details?.successRate)).toFixed(1)}%, ` +
        `t ${r.statistic.toFixed(2)}, p ${r.pValue.toExponential(2)}, stolen ${r.stolen}`,
    );
  };
  record('watermarked victim itself', await verify((x) => embed(marked.encoder, x)));
  record('clean victim (no watermark)', await verify((x) => embed(clean.encoder, x)));
  const independent = await loadVictim('simclr-fmnist-independent', { log });
  record('independent encoder (simclr-fmnist-independent)', await verify((x) => embed(independent.encoder, x)));
  independent.encoder.dispose();
  independent.projectionHead?.dispose();
  for (const budget of budgets) {
    const seed = 0;
    const oracle = createOracle({ deployment, output: 'representation' });
    oracle.openAccount('attacker', budget, 'attacker');
    const attackerPool = takePlan(pool, queryPlan(pool, budget, deriveSeed(seed, 'query-plan')));
    const started = performance.now();
    const stolen = await directExtraction.steal(
      {
        oracle: oracle.client('attacker'),
        pool: attackerPool,
        budget,
        seed: deriveSeed(seed, 'attack'),
        deadline: Date.now() + 3_600_000,
        progress: () => {},
        log: () => {},
      },
      resolveOptions('attack', directExtraction, { loss }) as never,
    );
    const attackSeconds = (performance.now() - started) / 1000;
    const probe = await linearProbe(stolen, probeTrain, publicData, {}, 0);
    record(`stolen copy, direct extraction (${loss}), ${budget} queries`, await verify((x) => embed(stolen, x)), {
      budget,
      loss,
      attackSeconds,
      stolenFmnistProbe: probe.accuracy,
    });
    stolen.dispose();
  }
  writeFileSync(
    out,
    `${JSON.stringify({ generatedAt: new Date().toISOString(), backend: engine.backend, recipe: plugin.recipe, watermarkedHash: marked.hash, cleanHash: clean.hash, options, rows }, null, 2)}\n`,
  );
  log(`wrote ${out}`);
}

export const command = experimentCommand(
  'stolen-copies',
  'Steals the watermarked victim at several budgets and verifies ownership of each copy.',
)
  .option('--budgets <list>', 'query budgets', integerList, [1000, 4000])
  .option('--loss <name>', "direct extraction's loss", 'mse')
  .option('--recipe <json>', "overrides of simclr-fmnist's recipe", jsonObject, {})
  .option('--out <file>', 'where the JSON goes', 'defenses/watermark/experiments/stolen-copies.json')
  .action((options: { budgets: number[]; loss: string; recipe: Record<string, unknown>; out: string }) => run(options));

runIfMain(import.meta.url, command);
