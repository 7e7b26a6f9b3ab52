// StolenEncoder (Liu, Jia, Liu, Gong: "StolenEncoder: Stealing Pre-trained Encoders in Self-supervised Learning",
// ACM CCS 2022): query the victim once per image, then train the stolen encoder so that both the image and an
// augmented copy of it land where the victim put the image:
//   L = −cos(f_a(x), f_v(x)) − λ·cos(f_a(aug(x)), f_v(x)),
// the second term getting the effect of extra queries for free (an encoder maps an image and its augmentations
// close together). Batch 64, Adam with weight decay 1e-4 as the other attacks here.
import * as tf from '@tensorflow/tfjs-core';
import { epochLossesText, trainStudent } from '../_shared/fit.ts';
import { augmentationOption, studentOptionProperties, type StudentOptions } from '../_shared/options.ts';
import { buyOnePerImage } from '../_shared/query.ts';
import { augmentationFor, createStudent } from '../_shared/student.ts';
import { stolenEncoderLoss } from './loss.ts';
import { imagesToTensor, vectorsToTensor, defineAttack } from '../../benchmark/index.ts';

export interface StolenEncoderOptions extends StudentOptions {
  lambda: number;
  augmentation: string;
}

export default defineAttack<StolenEncoderOptions>({
  meta: {
    id: 'stolen-encoder',
    title: 'StolenEncoder',
    paper:
      'Liu, Jia, Liu, Gong: StolenEncoder: Stealing Pre-trained Encoders in Self-supervised Learning, ACM CCS 2022',
    description:
      'One query per image; trains the stolen encoder so that the image and ' +
      'an augmented copy both match the victim representation in cosine.',
    needs: { output: 'representation' },
    options: {
      type: 'object',
      properties: {
        lambda: { type: 'number', minimum: 0, default: 1, description: 'weight of the augmented-view term' },
        augmentation: augmentationOption,
        ...studentOptionProperties(186),
      },
    },
  },
  async steal(ctx, options) {
    const { images, answers } = await buyOnePerImage(ctx, options.queryBatchSize, 'querying the victim');
    const student = createStudent(images, options, ctx.seed, answers.dim);
    const augment = augmentationFor(options.augmentation, images);
    const result = await trainStudent(ctx, options, {
      student,
      count: images.count,
      batchSize: options.batchSize ?? 64,
      label: 'stolen-encoder',
      loss: ({ indices, seed }) => {
        const x = imagesToTensor(images, indices);
        const target = vectorsToTensor(answers, indices);
        // Both views go through the encoder in one batch, so batch norm sees them together.
        const both = student.apply(tf.concat([x, augment(x, seed)], 0), { training: true }) as tf.Tensor2D;
        const [plain, augmented] = tf.split(both, 2, 0) as [tf.Tensor2D, tf.Tensor2D];
        return stolenEncoderLoss(plain, augmented, target, options.lambda);
      },
    });
    ctx.log(`stolen-encoder: ${images.count} queries, ${result.steps} steps, epoch losses ${epochLossesText(result)}`);
    return student;
  },
});
