// Access head (paper section 3.2, end of "Recreate Projection Head"; table 1's third row): the API returns the
// victim's projections z_v = g_v(f_v(x)) instead of its representations. The attacker trains a stolen encoder f_a
// together with its own head g_a so that g_a(f_a(x)) matches z_v (InfoNCE by default, as the paper's table 1), then
// keeps f_a only: the downstream tasks are probed on representations, as for every other attack.
import type * as tf from '@tensorflow/tfjs-core';
import { epochLossesText, trainStudent, trainingForward } from '../_shared/fit.ts';
import { stepsForLosses, studentOptionProperties, type StudentOptions } from '../_shared/options.ts';
import { buyOnePerImage } from '../_shared/query.ts';
import { createStudent } from '../_shared/student.ts';
import {
  createMlpHead,
  representationDimOf,
  getLoss,
  vectorsToTensor,
  defineAttack,
  deriveSeed,
} from '../../benchmark/index.ts';

export const ACCESS_HEAD_LOSSES = ['mse', 'infonce', 'softnn', 'wasserstein', 'barlow'] as const;
const BATCH_CONTRASTIVE = ['infonce', 'softnn', 'barlow'];

export interface AccessHeadOptions extends StudentOptions {
  loss: (typeof ACCESS_HEAD_LOSSES)[number];
  temperature?: number;
  /** Length of the stolen representation (default: the architecture's, 128 × width for small-cnn). */
  representationDim?: number;
}

export default defineAttack<AccessHeadOptions>({
  meta: {
    id: 'access-head',
    title: 'Access head (API returns projections)',
    paper:
      'Dziedzic, Dhawan, Kaleem, Guan, Papernot: On the Difficulty of ' +
      'Defending Self-Supervised Learning against Model Extraction, ICML ' +
      '2022, section 3.2 and table 1 ("Access Head")',
    description:
      "The API serves the victim's projections; trains a stolen encoder plus " +
      'its own head to match them and keeps the encoder.',
    needs: { output: 'projection' },
    options: {
      type: 'object',
      properties: {
        loss: {
          enum: ACCESS_HEAD_LOSSES,
          default: 'infonce',
          description: 'loss between the stolen and the victim projections',
        },
        temperature: { type: 'number', exclusiveMinimum: 0, description: "overrides the loss's temperature" },
        representationDim: { type: 'integer', minimum: 1, description: 'length of the stolen representation' },
        ...studentOptionProperties(75),
      },
      ...stepsForLosses(['mse', 'wasserstein'], 310),
    },
  },
  async steal(ctx, options) {
    const { images, answers } = await buyOnePerImage(ctx, options.queryBatchSize, 'querying the victim (projections)');
    const student = createStudent(images, options, ctx.seed, options.representationDim);
    const repDim = representationDimOf(student);
    // SimCLR's projector shape: one hidden layer as wide as the representation.
    const head = createMlpHead(
      { inputDim: repDim, hiddenDims: [repDim], outputDim: answers.dim },
      deriveSeed(ctx.seed, 'head'),
    );
    const loss = getLoss(options.loss, options.temperature === undefined ? {} : { temperature: options.temperature });
    const result = await trainStudent(ctx, options, {
      student,
      alongside: [head],
      count: images.count,
      batchSize: options.batchSize ?? (BATCH_CONTRASTIVE.includes(options.loss) ? 256 : 64),
      label: `access-head (${options.loss})`,
      loss: ({ indices }) => {
        const projection = head.apply(trainingForward(student, images, indices), { training: true }) as tf.Tensor2D;
        return loss(projection, vectorsToTensor(answers, indices));
      },
    });
    ctx.log(`access-head: ${images.count} queries, ${result.steps} steps, epoch losses ${epochLossesText(result)}`);
    head.dispose();
    return student;
  },
});
