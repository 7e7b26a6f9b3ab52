// The victim's undefended answers to the legitimate users' images, worked out before the traffic starts. The users
// send every image of the probe splits in every cell (tens of thousands), and those answers are the same in every
// cell of a victim, so the oracle takes them from here instead of running the victim again; the defense still sees
// each batch, account and clean answer as it would otherwise. The same answers are the users' undefended reference
// (scoring/legitimate-users.ts), so both come from one computation, made set by set whatever the cache holds.
import type { ImageSet } from '../plugin/types.ts';
import type { KnownAnswers } from '../oracle/oracle.ts';
import { hashImages } from '../oracle/image-hash.ts';
import { cleanAnswers, type LegitimateContext, type LegitimateTaskPlan } from '../scoring/legitimate-users.ts';

export async function legitimateKnownAnswers(
  plans: readonly LegitimateTaskPlan[],
  context: Pick<LegitimateContext, 'deployment' | 'victimHash' | 'output' | 'cache'>,
): Promise<KnownAnswers> {
  const answersOf = cleanAnswers(context);
  const sets = new Map<string, ImageSet>();
  for (const plan of plans) for (const set of [plan.train, plan.test]) sets.set(set.name, set);
  const vectors = new Map<string, Float32Array>();
  const labels = context.output === 'label' ? new Map<string, number>() : undefined;
  for (const set of sets.values()) {
    const answer = await answersOf(set);
    const hashes = hashImages(set);
    hashes.forEach((hash, i) => {
      vectors.set(hash, answer.data.subarray(i * answer.dim, (i + 1) * answer.dim));
      if (labels && answer.labels) labels.set(hash, answer.labels[i]!);
    });
  }
  return labels ? { vectors, labels } : { vectors };
}
