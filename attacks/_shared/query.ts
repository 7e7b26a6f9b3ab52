import { type AttackContext, type ImageBatch, type Vectors } from '../../benchmark/index.ts';

export interface Bought {
  answers: Vectors;
  /** The API's labels, when it returns labels. */
  labels: Int32Array | null;
}

/** The first `count` pool images (a copy, so the shared pool is never written). */
export function takeImages(images: ImageBatch, count: number, start = 0): ImageBatch {
  if (start + count > images.count)
    throw new Error(`takeImages: asked for images ${start}..${start + count - 1}, the set has ${images.count}`);
  const size = images.height * images.width * images.channels;
  return {
    data: images.data.slice(start * size, (start + count) * size),
    count,
    height: images.height,
    width: images.width,
    channels: images.channels,
  };
}

/** How many images this attack may query: the budget, capped by the pool and by what the account has left. */
export async function plannedQueries(ctx: AttackContext): Promise<number> {
  const { remaining } = await ctx.oracle.budget();
  return Math.min(ctx.budget, ctx.pool.count, remaining);
}

/**
 * Queries every image once, `batchSize` at a time. Throws before sending anything if the images do not fit in the
 * remaining budget (a planning bug, not something to discover through refusals).
 */
export async function buyAnswers(
  ctx: AttackContext,
  images: ImageBatch,
  batchSize: number,
  what = 'queries',
): Promise<Bought> {
  const { remaining } = await ctx.oracle.budget();
  if (images.count > remaining)
    throw new Error(`${what}: planned ${images.count} queries but only ${remaining} remain in the budget`);
  const size = images.height * images.width * images.channels;
  const dim = ctx.oracle.outputDim;
  const answers = new Float32Array(images.count * dim);
  let labels: Int32Array | null = null;
  for (let start = 0; start < images.count; start += batchSize) {
    const count = Math.min(batchSize, images.count - start);
    const answer = await ctx.oracle.query({
      ...images,
      count,
      data: images.data.slice(start * size, (start + count) * size),
    });
    if (answer.count !== count || answer.dim !== dim) {
      throw new Error(
        `${what}: the oracle answered ${answer.count}×${answer.dim} for a batch of ${count} (expected dim ${dim})`,
      );
    }
    answers.set(answer.data, start * dim);
    if (answer.labels) {
      labels ??= new Int32Array(images.count);
      labels.set(answer.labels, start);
    }
    ctx.progress(start + count, images.count, `${what}: ${start + count}/${images.count}`);
  }
  return { answers: { data: answers, count: images.count, dim }, labels };
}

/**
 * The purchase most attacks here make: each pool image once, as many images as `plannedQueries` allows, `batchSize`
 * a request. Returns the images with what they bought.
 */
export async function buyOnePerImage(
  ctx: AttackContext,
  batchSize: number,
  what: string,
): Promise<Bought & { images: ImageBatch }> {
  const images = takeImages(ctx.pool, await plannedQueries(ctx));
  return { images, ...(await buyAnswers(ctx, images, batchSize, what)) };
}
