// The ICML 2022 paper's own form of dataset inference for encoders (section 5.4): "instead of analyzing distances of
// data points from decision boundaries, we analyze loss values from private (train) vs public (test) sets. To compute
// the loss, we use the projection head from the training stage." Per image: two seeded augmented views go through the
// suspect encoder and then the victim's projection head g_v; the image's loss is the symmetric NT-Xent of its pair
// against the other images of its batch (the SimCLR objective the victim was trained on), averaged over
// `augmentations` view pairs. A copy of the victim inherits its lower loss on the private training images.
// One-sided Welch t-test, H0: the public losses are not larger than the private ones (the paper's H0: µp < µt,
// rejected when public losses exceed private ones).
import { makeAugmentation, deriveSeed, type ImageSet, type Vectors } from '../../benchmark/index.ts';
import { augmentSet } from './augmentation-distance.ts';
import type { Encode } from './likelihood-test.ts';
import { checkAnswer, compareMeans, toPoints, type InferenceSamples } from './samples.ts';

export interface HeadLossSettings {
  augmentations: number;
  augmentation: Parameters<typeof makeAugmentation>[0];
  /** NT-Xent temperature. */
  temperature: number;
  /** Images whose views are each other's negatives (private and public sets are cut the same way). */
  batchSize: number;
  seed: number;
}

export interface HeadLossResult {
  statistic: number;
  pValue: number;
  meanPrivate: number;
  meanPublic: number;
  privateLosses: Float64Array;
  publicLosses: Float64Array;
}

type Project = (representations: Vectors) => Promise<Vectors>;

function logSumExp(values: number[]): number {
  const max = Math.max(...values);
  return max + Math.log(values.reduce((s, v) => s + Math.exp(v - max), 0));
}

/**
 * Per-image symmetric NT-Xent of paired unit vectors `a[i]`, `b[i]`, with the other pairs of the same batch as
 * negatives: ½(ℓ(a_i, b_i) + ℓ(b_i, a_i)), ℓ(u, v) = −s(u, v)/t + log Σ_{w ≠ u} exp(s(u, w)/t) over the batch's 2B − 1
 * other vectors.
 */
export function ntXentPerImage(
  a: Float64Array,
  b: Float64Array,
  count: number,
  dim: number,
  temperature: number,
  batchSize: number,
): Float64Array {
  const losses = new Float64Array(count);
  const dot = (x: Float64Array, i: number, y: Float64Array, k: number) => {
    let s = 0;
    for (let d = 0; d < dim; d++) s += x[i * dim + d]! * y[k * dim + d]!;
    return s / temperature;
  };
  for (let start = 0; start < count; start += batchSize) {
    const end = Math.min(count, start + batchSize);
    for (let i = start; i < end; i++) {
      let loss = 0;
      for (const [u, v] of [
        [a, b],
        [b, a],
      ] as const) {
        const others: number[] = [];
        for (let k = start; k < end; k++) {
          if (k !== i) others.push(dot(u, i, u, k));
          others.push(dot(u, i, v, k));
        }
        loss += -dot(u, i, v, i) + logSumExp(others);
      }
      losses[i] = loss / 2;
    }
  }
  return losses;
}

async function headLosses(
  set: ImageSet,
  suspect: Encode,
  project: Project,
  settings: HeadLossSettings,
  label: string,
): Promise<Float64Array> {
  const augment = makeAugmentation(settings.augmentation);
  const losses = new Float64Array(set.count);
  for (let j = 0; j < settings.augmentations; j++) {
    const [a, b] = await Promise.all(
      ['a', 'b'].map(async (side) => {
        const view = augmentSet(
          set,
          augment,
          deriveSeed(settings.seed, `dataset-inference/head-loss/${label}/${j}/${side}`),
        );
        const representations = checkAnswer(await suspect(view), set.count, 'the suspect');
        return toPoints(checkAnswer(await project(representations), set.count, "the victim's projection head"), true);
      }),
    );
    const pair = ntXentPerImage(a!.data, b!.data, set.count, a!.dim, settings.temperature, settings.batchSize);
    for (let i = 0; i < set.count; i++) losses[i]! += pair[i]! / settings.augmentations;
  }
  return losses;
}

export async function headLossTest(
  samples: InferenceSamples,
  suspect: Encode,
  project: Project,
  settings: HeadLossSettings,
): Promise<HeadLossResult> {
  const privateLosses = await headLosses(samples.privateScored, suspect, project, settings, 'private');
  const publicLosses = await headLosses(samples.publicScored, suspect, project, settings, 'public');
  return {
    ...compareMeans(privateLosses, publicLosses, 'public'),
    privateLosses,
    publicLosses,
  };
}
