import {
  loadSplit,
  initEngine,
  embed,
  type AttackPlugin,
  type DefensePlugin,
  deriveSeed,
} from '../../benchmark/index.ts';
import { createOracle, resolveOptions } from '../../benchmark/testkit/index.ts';
import { defenseViewFor, downstreamSplits } from '../../benchmark/testkit/index.ts';
import { ckaToVictim, quickContext, quickData, quickVictim } from './quick.ts';

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
const { victim, deployment } = await quickVictim({
  ...(extra ? { extra } : {}),
  ...(trainHook ? { trainHook } : {}),
});
const data = await quickData(deployment, budget);
const privateData = await loadSplit(victim.recipe.data);
const publicData = await loadSplit(downstreamSplits('fmnist').test);
const attack = (await import('../steal-then-remove/index.ts')).default as AttackPlugin<Record<string, unknown>>;

console.log(`| removal | ownership claimed | p-value | statistic | CKA |`);
console.log(`|---|---|---:|---:|---:|`);
for (const removal of removals) {
  const oracle = createOracle({ deployment });
  oracle.openAccount('attacker', budget, 'attacker');
  const view = defenseViewFor(attack, defense, defenseOptions);
  const ctx = quickContext(oracle.client('attacker'), data, budget, seed, console.error, view);
  const model = await attack.steal(ctx, resolveOptions('attack', attack, { ...extraOptions, steps, removal }));
  const cka = await ckaToVictim(model, data);
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
