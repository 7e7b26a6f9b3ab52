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
import { defenseViewFor } from '../../benchmark/testkit/index.ts';

const [defenseId, adaptiveId, budgetArg, stepsArg, seedArg, optionsArg] = process.argv.slice(2);
if (!defenseId || !adaptiveId)
  throw new Error('usage: adaptive-quick.ts <defense> <adaptive-attack> [budget] [steps] [seed]');
const budget = Number(budgetArg ?? 1000);
const steps = Number(stepsArg ?? 60);
const seed = Number(seedArg ?? 0);
const adaptiveOptions = JSON.parse(optionsArg ?? '{}') as Record<string, unknown>;

await initEngine({ backend: 'wasm' });
const victim = await loadVictim('simclr-fmnist', {
  onProgress: () => {
    throw new Error(
      'the simclr-fmnist weights would have to be trained first; run this where they are shipped or cached',
    );
  },
});
const deployment = deployVictim(victim);
const pool = await loadSplit('fmnist/attacker-pool-20k');
const heldOutAll = await loadSplit('fmnist/probe-test-10k');
const size = heldOutAll.height * heldOutAll.width * heldOutAll.channels;
const heldOut: ImageSet = { ...heldOutAll, count: 2000, data: heldOutAll.data.slice(0, 2000 * size), labels: null };
const victimHeldOut = await deployment.encode(heldOut);
const planned: ImageSet = { ...pool, count: budget, data: pool.data.slice(0, budget * size), labels: null };

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
  const ctx: AttackContext = {
    oracle: oracle.client(set),
    pool: planned,
    budget,
    seed: deriveSeed(seed, 'attack'),
    deadline: Date.now() + 3_600_000,
    progress: () => {},
    log: (m) => console.log(`    ${m}`),
    ...(view ? { defense: view } : {}),
  };
  const model = await attack.steal(ctx, resolveOptions('attack', attack, { ...options, steps }));
  const cka = linearCka(await embed(model, heldOut), victimHeldOut);
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
