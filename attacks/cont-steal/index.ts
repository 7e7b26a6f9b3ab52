// Cont-Steal (Sha, He, Yu, Backes, Zhang: "Can't Steal? Cont-Steal! Contrastive Stealing Attacks Against Image
// Encoders", CVPR 2023): a contrastive stealing loss. Each pool image is queried once (raw); the stolen encoder sees an
// augmented view of it, and the symmetric NT-Xent (temperature 0.5) over [stolen embeddings; victim embeddings] pulls
// f_a(aug(x_i)) to f_v(x_i) and pushes it away from every other image's embedding of either model. Batch 256 (the
// negatives come from the batch), Adam with weight decay 1e-4.
import * as tf from '@tensorflow/tfjs-core';
import { epochLossesText, trainStudent } from '../_shared/fit.ts';
import { augmentationOption, studentOptionProperties, type StudentOptions } from '../_shared/options.ts';
import { buyOnePerImage } from '../_shared/query.ts';
import { augmentationFor, createStudent } from '../_shared/student.ts';
import { contStealLoss, imagesToTensor, vectorsToTensor, defineAttack } from '../../benchmark/index.ts';

export interface ContStealOptions extends StudentOptions {
  temperature: number;
  augmentation: string;
  augment: boolean;
}

export default defineAttack<ContStealOptions>({
  meta: {
    id: 'cont-steal',
    title: 'Cont-Steal',
    paper:
      "Sha, He, Yu, Backes, Zhang: Can't Steal? Cont-Steal! Contrastive " +
      'Stealing Attacks Against Image Encoders, CVPR 2023',
    description:
      'One query per image; symmetric NT-Xent (T = 0.5) between the stolen ' +
      'embeddings of augmented views and the victim embeddings.',
    needs: { output: 'representation' },
    options: {
      type: 'object',
      properties: {
        temperature: { type: 'number', exclusiveMinimum: 0, default: 0.5, description: 'NT-Xent temperature' },
        augment: {
          type: 'boolean',
          default: true,
          description: "augment the student's view (the method's; off = plain contrastive matching)",
        },
        augmentation: augmentationOption,
        ...studentOptionProperties(75),
      },
    },
  },
  async steal(ctx, options) {
    const { images, answers } = await buyOnePerImage(ctx, options.queryBatchSize, 'querying the victim');
    const student = createStudent(images, options, ctx.seed, answers.dim);
    const augment = options.augment ? augmentationFor(options.augmentation, images) : undefined;
    const result = await trainStudent(ctx, options, {
      student,
      count: images.count,
      batchSize: options.batchSize ?? 256,
      label: 'cont-steal',
      loss: ({ indices, seed }) => {
        const x = imagesToTensor(images, indices);
        const view = augment ? augment(x, seed) : x;
        const stolen = student.apply(view, { training: true }) as tf.Tensor2D;
        return contStealLoss(stolen, vectorsToTensor(answers, indices), options.temperature);
      },
    });
    ctx.log(`cont-steal: ${images.count} queries, ${result.steps} steps, epoch losses ${epochLossesText(result)}`);
    return student;
  },
});
