// Noise averaging (adaptive, issue 13): against an API that adds fresh zero-mean noise to every answer, ask about the
// same image r times and average — the noise's standard deviation falls as 1/√r, the signal stays. Every repeat is a
// paid query, so r trades distinct images for cleaner answers: r is chosen so that the averaged noise is about
// `targetNoise` times the victim's own per-coordinate spread.
//  - knowing the defense (gaussian-noise in victim units, its public sigma): noise/spread = sigma, so r = ⌈(sigma /
//    targetNoise)²⌉;
//  - otherwise (absolute units, or no view): measure it — query `calibration` images twice; half the mean squared
//    difference of the two answers is the noise variance, the spread of the averaged answers across images (minus the
//    noise's share) the signal variance. No noise measured → r = 1.
// Then train with MSE (unbiased under zero-mean noise) on the averaged answers. They are not centred: the student's
// representation (after ReLU and pooling) is non-negative, so it could not fit centred targets; a constant offset (the
// paper's mean-10 noise) is a shift a linear probe absorbs.
import { defineAttack, getLoss, vectorsToTensor, type AttackContext, type Vectors } from '../../benchmark/index.ts';
import { defenseOption } from '../_shared/adaptive.ts';
import { epochLossesText, trainStudent, trainingForward } from '../_shared/fit.ts';
import { stepsForLosses, studentOptionProperties, type StudentOptions } from '../_shared/options.ts';
import { buyAnswers, takeImages } from '../_shared/query.ts';
import { createStudent } from '../_shared/student.ts';

export interface NoiseAveragingOptions extends StudentOptions {
  repeats: number | 'auto';
  maxRepeats: number;
  targetNoise: number;
  calibration: number;
  loss: 'mse' | 'infonce';
}

/** Repeats that bring noise of `ratio` × the signal spread down to `target` × it, within [1, max]. */
export function repeatsFor(ratio: number, target: number, max: number): number {
  if (!(ratio > 0)) return 1;
  return Math.min(max, Math.max(1, Math.ceil((ratio / target) ** 2)));
}

/** Noise and signal variance (mean over coordinates) from two answers per image, rows aligned. */
export function noiseToSignal(
  first: Vectors,
  second: Vectors,
): { noiseVariance: number; signalVariance: number; ratio: number } {
  const { count, dim } = first;
  let noise = 0;
  let signal = 0;
  for (let c = 0; c < dim; c++) {
    let mean = 0;
    for (let r = 0; r < count; r++) mean += (first.data[r * dim + c]! + second.data[r * dim + c]!) / 2;
    mean /= count;
    for (let r = 0; r < count; r++) {
      const a = first.data[r * dim + c]!;
      const b = second.data[r * dim + c]!;
      noise += (a - b) ** 2 / 2;
      signal += ((a + b) / 2 - mean) ** 2;
    }
  }
  const noiseVariance = noise / (count * dim);
  // The average of two answers still carries half the noise variance.
  const signalVariance = Math.max(0, signal / (Math.max(1, count - 1) * dim) - noiseVariance / 2);
  const ratio = signalVariance > 0 ? Math.sqrt(noiseVariance / signalVariance) : noiseVariance > 0 ? Infinity : 0;
  return { noiseVariance, signalVariance, ratio };
}

function addInto(sum: Float64Array, answers: Vectors, offsetRows = 0): void {
  for (let i = 0; i < answers.data.length; i++) sum[offsetRows * answers.dim + i]! += answers.data[i]!;
}

export default defineAttack<NoiseAveragingOptions>({
  meta: {
    id: 'noise-averaging',
    title: 'Noise averaging (adaptive: repeated queries averaged)',
    paper:
      'Adaptive attack in the sense of Tramèr et al., "On Adaptive Attacks to Adversarial Example Defenses", NeurIPS ' +
      '2020, against the noise defense of Dziedzic et al., ICML 2022, section 5.2',
    description:
      'Queries each image r times and trains on the averaged answers; r from the defense’s public noise scale or ' +
      'measured from repeated queries.',
    needs: { output: 'representation' },
    targets: ['gaussian-noise'],
    options: {
      type: 'object',
      properties: {
        repeats: {
          anyOf: [{ type: 'integer', minimum: 1, maximum: 256 }, { const: 'auto' }],
          default: 'auto',
          description: "queries per image; 'auto': from the public noise scale, else measured",
        },
        maxRepeats: {
          type: 'integer',
          minimum: 1,
          maximum: 256,
          default: 16,
          description: "most repeats 'auto' chooses",
        },
        targetNoise: {
          type: 'number',
          exclusiveMinimum: 0,
          default: 0.5,
          description: "'auto': averaged noise std aimed at, as a multiple of the victim's per-coordinate spread",
        },
        calibration: {
          type: 'integer',
          minimum: 2,
          default: 64,
          description:
            "'auto' without a public noise scale: images queried twice to measure the noise (at most 1/8 of the " +
            'budget)',
        },
        loss: { enum: ['mse', 'infonce'], default: 'mse', description: 'stealing loss on the averaged answers' },
        ...studentOptionProperties(310),
      },
      ...stepsForLosses(['infonce'], 75),
    },
  },
  async steal(ctx, options) {
    const label = 'noise-averaging';
    const budget = await plannedBudget(ctx);
    const poolCount = ctx.pool.count;
    const batch = options.queryBatchSize;
    let repeats: number;
    let calibrated: { images: number; sums: Float64Array; answered: number } | undefined;
    const sigma = defenseOption<number>(ctx, 'gaussian-noise', 'sigma');
    const units = defenseOption<string>(ctx, 'gaussian-noise', 'units');
    if (options.repeats !== 'auto') {
      repeats = options.repeats;
    } else if (ctx.defense && ctx.defense.id !== 'gaussian-noise') {
      repeats = 1; // told there is no noise defense: nothing to average
    } else if (sigma !== undefined && units === 'victim') {
      repeats = repeatsFor(sigma, options.targetNoise, options.maxRepeats);
      ctx.log(`${label}: public sigma ${sigma} (victim units) -> ${repeats} repeats`);
    } else {
      // Measure: the first c pool images, twice each.
      const c = Math.min(options.calibration, Math.floor(budget / 8), poolCount);
      if (c < 2) {
        repeats = 1;
      } else {
        const images = takeImages(ctx.pool, c);
        const first = (await buyAnswers(ctx, images, batch, `${label}: calibration 1/2`)).answers;
        const second = (await buyAnswers(ctx, images, batch, `${label}: calibration 2/2`)).answers;
        const measured = noiseToSignal(first, second);
        repeats = repeatsFor(measured.ratio, options.targetNoise, options.maxRepeats);
        const sums = new Float64Array(c * first.dim);
        addInto(sums, first);
        addInto(sums, second);
        calibrated = { images: c, sums, answered: 2 };
        ctx.log(
          `${label}: measured noise/spread ${measured.ratio.toFixed(3)} on ${c} images asked twice ` +
            `-> ${repeats} repeats`,
        );
      }
    }

    // Distinct images: the calibration images (topped up to `repeats` answers), then new ones at `repeats` each.
    const known = calibrated?.images ?? 0;
    const left = (await ctx.oracle.budget()).remaining;
    // A small budget may not even top the calibration images up to `repeats`: then they get what fits, nothing new.
    const topUp = calibrated ? Math.min(Math.max(0, repeats - calibrated.answered), Math.floor(left / known)) : 0;
    const fresh = Math.max(0, Math.min(poolCount - known, Math.floor((left - known * topUp) / repeats)));
    const n = known + fresh;
    if (n === 0) throw new Error(`${label}: the budget (${budget}) buys no image`);
    const images = takeImages(ctx.pool, n);
    const dim = ctx.oracle.outputDim;
    const sums = new Float64Array(n * dim);
    const answered = new Int32Array(n);
    if (calibrated) {
      sums.set(calibrated.sums);
      answered.fill(calibrated.answered, 0, known);
      for (let t = 0; t < topUp; t++) {
        addInto(
          sums,
          (
            await buyAnswers(
              ctx,
              takeImages(images, known),
              batch,
              `${label}: repeat ${t + 3} of the calibration images`,
            )
          ).answers,
        );
        answered.fill(calibrated.answered + t + 1, 0, known);
      }
    }
    if (fresh > 0) {
      const freshImages = takeImages(images, fresh, known);
      for (let t = 0; t < repeats; t++) {
        addInto(
          sums,
          (await buyAnswers(ctx, freshImages, batch, `${label}: round ${t + 1}/${repeats}`)).answers,
          known,
        );
      }
      answered.fill(repeats, known);
    }
    const targets = new Float32Array(n * dim);
    for (let r = 0; r < n; r++) for (let c = 0; c < dim; c++) targets[r * dim + c] = sums[r * dim + c]! / answered[r]!;
    const averaged: Vectors = { data: targets, count: n, dim };
    ctx.log(`${label}: ${n} distinct images, ${repeats} answers each (calibration images: ${answered[0]})`);

    const student = createStudent(images, options, ctx.seed, dim);
    const loss = getLoss(options.loss);
    const result = await trainStudent(ctx, options, {
      student,
      count: n,
      batchSize: options.batchSize ?? (options.loss === 'infonce' ? 256 : 64),
      label,
      loss: ({ indices }) => loss(trainingForward(student, images, indices), vectorsToTensor(averaged, indices)),
    });
    ctx.log(`${label}: ${result.steps} steps, epoch losses ${epochLossesText(result)}`);
    return student;
  },
});

async function plannedBudget(ctx: AttackContext): Promise<number> {
  const { remaining } = await ctx.oracle.budget();
  return Math.min(ctx.budget, remaining);
}
