import {
  loadSplit,
  initEngine,
  embed,
  type AttackContext,
  type AttackPlugin,
  type DefensePlugin,
  type ImageSet,
  linearCka,
  deriveSeed,
} from '../../benchmark/index.ts';
import { createOracle, resolveOptions, deployVictim, loadVictim } from '../../benchmark/testkit/index.ts';
import { defenseViewFor, downstreamSplits } from '../../benchmark/testkit/index.ts';

const [defenseId, budgetArg, stepsArg, seedArg, optionsArg, removalsArg] = process.argv.slice(2);
if (defenseId !== 'watermark' && defenseId !== 'dataset-inference')
  throw new Error('usage: removal-quick.ts <watermark|dataset-inference> [budget] [steps] [seed]');
const budget = Number(budgetArg ?? 1000);
const steps = Number(stepsArg ?? 60);
const seed = Number(seedArg ?? 0);
const extraOptions = JSON.parse(optionsArg ?? '{}') as Record<string, unknown>;
const removals = (removalsArg ?? 'auto,none').split(',');

await initEngine({ backend: 'wasm' });
const defense = (await import(`../../defenses/${defenseId}/index.ts`)).default as DefensePlugin<
  Record<string, unknown>
>;
const defenseOptions = resolveOptions('defense', defense, {}) as Record<string, unknown>;
const extra = defense.prepareVictim?.(defenseOptions);
const trainHook = defense.victimTrainHook?.(defenseOptions);
const victim = await loadVictim('simclr-fmnist', {
  ...(extra ? { extra } : {}),
  ...(trainHook ? { trainHook } : {}),
  onProgress: () => {
    throw new Error('this victim would have to be trained first; run this where its weights are shipped or cached');
  },
});
const deployment = deployVictim(victim);
const pool = await loadSplit('fmnist/attacker-pool-20k');
const size = pool.height * pool.width * pool.channels;
const planned: ImageSet = { ...pool, count: budget, data: pool.data.slice(0, budget * size), labels: null };
const heldOutAll = await loadSplit('fmnist/probe-test-10k');
const heldOut: ImageSet = { ...heldOutAll, count: 2000, data: heldOutAll.data.slice(0, 2000 * size), labels: null };
const victimHeldOut = await deployment.encode(heldOut);
const privateData = await loadSplit(victim.recipe.data);
const publicData = await loadSplit(downstreamSplits('fmnist').test);
const attack = (await import('../steal-then-remove/index.ts')).default as AttackPlugin<Record<string, unknown>>;

console.log(`| removal | ownership claimed | p-value | statistic | CKA |`);
console.log(`|---|---|---:|---:|---:|`);
for (const removal of removals) {
  const oracle = createOracle({ deployment });
  oracle.openAccount('attacker', budget, 'attacker');
  const view = defenseViewFor(attack, defense, defenseOptions);
  const ctx: AttackContext = {
    oracle: oracle.client('attacker'),
    pool: planned,
    budget,
    seed: deriveSeed(seed, 'attack'),
    deadline: Date.now() + 3_600_000,
    progress: () => {},
    log: (m) => console.error(`    ${m}`),
    ...(view ? { defense: view } : {}),
  };
  const model = await attack.steal(ctx, resolveOptions('attack', attack, { ...extraOptions, steps, removal }));
  const cka = linearCka(await embed(model, heldOut), victimHeldOut);
  const verdict = await defense.verifyOwnership!(defenseOptions, {
    seed: deriveSeed(seed, 'ownership'),
    log: () => {},
    victim: deployment,
    privateData,
    publicData,
    suspect: (images) => embed(model, images),
  });
  model.dispose();
  console.log(
    `| ${removal} | ${verdict.stolen} | ${verdict.pValue.toExponential(2)} | ${verdict.statistic.toFixed(2)} | ` +
      `${cka.toFixed(3)} |`,
  );
}
console.log(
  `\nsimclr-fmnist with the ${defenseId} defaults, ${budget} queries, ${steps} steal steps, ` +
    `options ${JSON.stringify(extraOptions)}, seed ${seed}`,
);
