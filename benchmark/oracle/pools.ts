// Query plans: which pool images an attack may send, in which order.
//
// Choice: a seeded permutation of the whole pool, cut to the budget. Not "the first `budget` images", because pools
// come in file order (often grouped by class or source), and a prefix of that would be a biased sample. The
// permutation depends only on (pool name, pool size, seed), never on the attack, so every attack at a given budget
// and seed sees the same images in the same order; and because the budget only cuts the permutation, the plan of a
// smaller budget is a prefix of the plan of a larger one (budgets compare on nested query sets).
//
// A budget larger than the pool is refused with `PoolTooSmallError` unless `allowRepeats` is set; then the plan
// continues with fresh seeded permutations of the pool (each image appears once per round), which keeps the prefix
// property. Repeats still cost budget at the oracle.
import type { ImageSet } from '../plugin/types.ts';
import { createRng, deriveSeed } from '../util/random.ts';

export interface QueryPlanOptions {
  /** Allow a budget above the pool size by cycling through further permutations (default false). */
  allowRepeats?: boolean;
}

export class PoolTooSmallError extends Error {
  readonly code = 'POOL_TOO_SMALL';
  constructor(
    readonly pool: string,
    readonly poolSize: number,
    readonly budget: number,
  ) {
    super(
      `Query pool "${pool}" holds ${poolSize} image(s) but the budget is ${budget}: a plan without repeats cannot be ` +
        'made. Use a larger pool, a smaller budget, or queryPlan(..., { allowRepeats: true }).',
    );
    this.name = 'PoolTooSmallError';
  }
}

/** The ordered pool indices an attack with this budget and seed may query. */
export function queryPlan(
  pool: Pick<ImageSet, 'name' | 'count'>,
  budget: number,
  seed: number,
  options: QueryPlanOptions = {},
): Int32Array {
  if (!Number.isInteger(budget) || budget < 0)
    throw new RangeError(`queryPlan: budget must be a non-negative integer, found ${budget}.`);
  if (budget > pool.count && (!options.allowRepeats || pool.count === 0))
    throw new PoolTooSmallError(pool.name, pool.count, budget);
  const rng = createRng(deriveSeed(seed, `query-plan:${pool.name}:${pool.count}`));
  const indices = Array.from({ length: pool.count }, (_, i) => i);
  const plan = new Int32Array(budget);
  let filled = 0;
  while (filled < budget) {
    const round = rng.shuffle(indices);
    const take = Math.min(round.length, budget - filled);
    for (let i = 0; i < take; i++) plan[filled++] = round[i]!;
  }
  return plan;
}

/** The images of `pool` at `plan`'s indices, in plan order (labels kept), as a new ImageSet. */
export function takePlan(pool: ImageSet, plan: Int32Array, name = `${pool.name}[plan]`): ImageSet {
  const perImage = pool.height * pool.width * pool.channels;
  const data = new Float32Array(plan.length * perImage);
  const labels = pool.labels ? new Int32Array(plan.length) : null;
  plan.forEach((index, i) => {
    if (index < 0 || index >= pool.count)
      throw new RangeError(
        `takePlan: index ${index} at plan[${i}] is outside pool "${pool.name}" (0..${pool.count - 1}).`,
      );
    data.set(pool.data.subarray(index * perImage, (index + 1) * perImage), i * perImage);
    if (labels) labels[i] = pool.labels![index]!;
  });
  const out: ImageSet = {
    name,
    data,
    count: plan.length,
    height: pool.height,
    width: pool.width,
    channels: pool.channels,
    labels,
  };
  if (pool.classes) out.classes = pool.classes;
  return out;
}
