// Label stealing (the supervised baseline of the paper's table 4): the API returns only the class label of each
// query (its downstream classifier's argmax). The attacker trains a stolen encoder plus a linear classifier on the
// bought labels with cross-entropy, then returns
//   - fineTune: true  — the encoder: the harness probes it like every stolen encoder ("SL fine-tune": the classifier
//     layer is removed and a new linear layer is trained on each downstream task);
//   - fineTune: false — encoder + classifier, so the "representation" is the stolen classifier's class scores (logits,
//     one per victim class). A linear probe on those scores is what "SL no fine-tune" measures here: on the victim's
//     own task it is the stolen classifier's accuracy up to a linear re-reading of its scores; on another task it
//     says how much of that task survives in the class scores alone (see README).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { epochLossesText, trainStudent, trainingForward } from '../_shared/fit.ts';
import { studentOptionProperties, type StudentOptions } from '../_shared/options.ts';
import { buyOnePerImage } from '../_shared/query.ts';
import { createStudent } from '../_shared/student.ts';
import { labelsFromAnswers, softmaxCrossEntropy } from './labels.ts';
import { createLinearHead, representationDimOf, defineAttack, deriveSeed } from '../../benchmark/index.ts';

export interface LabelStealingOptions extends StudentOptions {
  fineTune: boolean;
  representationDim?: number;
}

export default defineAttack<LabelStealingOptions>({
  meta: {
    id: 'label-stealing',
    title: 'Label stealing (supervised baseline)',
    paper:
      'Dziedzic, Dhawan, Kaleem, Guan, Papernot: On the Difficulty of ' +
      'Defending Self-Supervised Learning against Model Extraction, ICML ' +
      '2022, table 4 ("SL fine-tune" / "SL no fine-tune")',
    description:
      'The API returns labels only; trains encoder + classifier with ' +
      "cross-entropy on them. fineTune=false returns the classifier's class " +
      'scores as the representation.',
    needs: { output: 'label' },
    options: {
      type: 'object',
      properties: {
        fineTune: {
          type: 'boolean',
          default: true,
          description: 'return the encoder (probed anew per task); false: return the class scores',
        },
        representationDim: { type: 'integer', minimum: 1, description: 'length of the stolen representation' },
        ...studentOptionProperties(310),
      },
    },
  },
  async steal(ctx, options) {
    const { images, ...bought } = await buyOnePerImage(ctx, options.queryBatchSize, 'querying the victim (labels)');
    const classes = bought.answers.dim;
    const labels = labelsFromAnswers(bought);
    const student = createStudent(images, options, ctx.seed, options.representationDim);
    const classifier = createLinearHead(representationDimOf(student), classes, deriveSeed(ctx.seed, 'classifier'));
    const result = await trainStudent(ctx, options, {
      student,
      alongside: [classifier],
      count: images.count,
      batchSize: options.batchSize ?? 64,
      label: 'label-stealing',
      loss: ({ indices }) => {
        const logits = classifier.apply(trainingForward(student, images, indices), { training: true }) as tf.Tensor2D;
        return softmaxCrossEntropy(
          logits,
          indices.map((i) => labels[i]!),
          classes,
        );
      },
    });
    ctx.log(
      `label-stealing: ${images.count} labels over ${classes} classes, ${result.steps} ` +
        `steps, epoch losses ${epochLossesText(result)}`,
    );
    if (options.fineTune) {
      classifier.dispose();
      return student;
    }
    const scores = classifier.apply(student.outputs[0]!) as tfl.SymbolicTensor;
    return tfl.model({ inputs: student.inputs, outputs: scores, name: 'stolen_label_model' });
  },
});
