import { loadSplit, initEngine, type AttackPlugin, type DefensePlugin, deriveSeed } from '../../benchmark/index.ts';
import { createOracle, resolveOptions } from '../../benchmark/testkit/index.ts';
import { defenseViewFor } from '../../benchmark/testkit/index.ts';
import { ckaToVictim, quickContext, quickData, quickVictim } from './quick.ts';

const [defenseId, adaptiveId, budgetArg, stepsArg, seedArg, optionsArg] = process.argv.slice(2);
if (!defenseId || !adaptiveId)
  throw new Error('usage: adaptive-quick.ts <defense> <adaptive-attack> [budget] [steps] [seed]');
const budget = Number(budgetArg ?? 1000);
const steps = Number(stepsArg ?? 60);
const seed = Number(seedArg ?? 0);
const adaptiveOptions = JSON.parse(optionsArg ?? '{}') as Record<string, unknown>;

await initEngine({ backend: 'wasm' });
const { victim, deployment } = await quickVictim();
const data = await quickData(deployment, budget);

interface Outcome {
  cka: number;
  accounts: number;
  flagged: number;
  hashes: number;
}

async function run(attackId: string, options: Record<string, unknown>, defenseName: string): Promise<Outcome> {
  const attack = (await import(`../${attackId}/index.ts`)).default as AttackPlugin<Record<string, unknown>>;
  const defense = (await import(`../../defenses/${defenseName}/index.ts`)).default as DefensePlugin<
    Record<string, unknown>
  >;
  const defenseOptions = resolveOptions('defense', defense, {}) as Record<string, unknown>;
  const guard = await defense.guard?.(deployment, defenseOptions, {
    seed: deriveSeed(seed, 'defense'),
    log: () => {},
    loadPrivateData: () => loadSplit(victim.recipe.data),
  });
  const oracle = createOracle({ deployment, ...(guard ? { guard } : {}) });
  const set = oracle.openAccountSet({ role: 'attacker', budget, maxAccounts: 64, idOf: (i) => `attacker-${i}` });
  const view = defenseViewFor(attack, defense, defenseOptions);
  const ctx = quickContext(oracle.client(set), data, budget, seed, console.log, view);
  const model = await attack.steal(ctx, resolveOptions('attack', attack, { ...options, steps }));
  const cka = await ckaToVictim(model, data);
  model.dispose();
  guard?.dispose?.();
  const mine = new Set(set.opened());
  const audit = oracle.audit().filter((entry) => mine.has(entry.account));
  const flagged = audit.reduce((sum, entry) => sum + (entry.guard?.flaggedCount ?? 0), 0);
  const hashes = audit.reduce((sum, entry) => sum + (entry.guard?.cost?.hashes ?? 0), 0);
  return { cka, accounts: mine.size, flagged, hashes };
}

const rows: string[] = [];
for (const [attackId, options] of [
  [adaptiveId, adaptiveOptions],
  ['direct-extraction', { loss: 'mse' }],
] as const) {
  for (const defenseName of [defenseId, 'none']) {
    const o = await run(attackId, options, defenseName);
    const figures = `${o.cka.toFixed(3)} | ${o.accounts} | ${o.flagged} | ${o.hashes.toExponential(2)}`;
    rows.push(`| ${attackId} ${JSON.stringify(options)} | ${defenseName} | ${figures} |`);
    console.log(rows.at(-1));
  }
}
console.log(
  `\nsimclr-fmnist, ${budget} queries, ${steps} steps, seed ${seed}: ` +
    'CKA = linear CKA to the victim on 2,000 held-out images',
);
console.log(
  [
    '| attack | defense | CKA | accounts | flagged images | PoW hashes |',
    '|---|---|---:|---:|---:|---:|',
    ...rows,
  ].join('\n'),
);
