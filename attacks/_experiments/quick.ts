// What the quick in-process checks (adaptive-quick.ts, removal-quick.ts) share, so that both measure the same way:
// the simclr-fmnist victim as shipped or cached (never trained by a quick check), the first `budget` attacker-pool
// images to query, 2,000 held-out test images with the victim's representations of them (for linear CKA), and the
// attack context of one run. Not a benchmark cell: no probe, no legitimate users.
import {
  loadSplit,
  embed,
  linearCka,
  deriveSeed,
  type AttackContext,
  type AttackDefenseView,
  type ImageSet,
  type OracleClient,
  type Vectors,
  type VictimDeployment,
} from '../../benchmark/index.ts';
import { deployVictim, loadVictim, type LoadedVictim } from '../../benchmark/testkit/index.ts';

/** The first `count` images of a split, without labels. */
export function firstImages(set: ImageSet, count: number): ImageSet {
  const size = set.height * set.width * set.channels;
  return { ...set, count, data: set.data.slice(0, count * size), labels: null };
}

/** simclr-fmnist (with a defense's victim hooks, if any), deployed; an error where it would have to be trained. */
export async function quickVictim(
  hooks: Pick<NonNullable<Parameters<typeof loadVictim>[1]>, 'extra' | 'trainHook'> = {},
): Promise<{ victim: LoadedVictim; deployment: VictimDeployment }> {
  const victim = await loadVictim('simclr-fmnist', {
    ...hooks,
    onProgress: () => {
      throw new Error('this victim would have to be trained first; run this where its weights are shipped or cached');
    },
  });
  return { victim, deployment: deployVictim(victim) };
}

export interface QuickData {
  /** The images an attack may query: the first `budget` of the attacker pool. */
  planned: ImageSet;
  /** 2,000 held-out test images, and the victim's representations of them. */
  heldOut: ImageSet;
  victimHeldOut: Vectors;
}

export async function quickData(deployment: VictimDeployment, budget: number): Promise<QuickData> {
  const planned = firstImages(await loadSplit('fmnist/attacker-pool-20k'), budget);
  const heldOut = firstImages(await loadSplit('fmnist/probe-test-10k'), 2000);
  return { planned, heldOut, victimHeldOut: await deployment.encode(heldOut) };
}

/** One run's attack context: the attack seed derived from `seed`, an hour to finish, progress not shown. */
export function quickContext(
  oracle: OracleClient,
  data: QuickData,
  budget: number,
  seed: number,
  log: (message: string) => void,
  defense: AttackDefenseView | undefined,
): AttackContext {
  return {
    oracle,
    pool: data.planned,
    budget,
    seed: deriveSeed(seed, 'attack'),
    deadline: Date.now() + 3_600_000,
    progress: () => {},
    log: (m) => log(`    ${m}`),
    ...(defense ? { defense } : {}),
  };
}

/** Linear CKA of a stolen model to the victim on the held-out images. */
export async function ckaToVictim(model: Parameters<typeof embed>[0], data: QuickData): Promise<number> {
  return linearCka(await embed(model, data.heldOut), data.victimHeldOut);
}
