// Cont-Steal (Sha et al., CVPR 2023): a contrastive loss between the stolen and the victim embedding of the same
// image, with the other images' embeddings as negatives, temperature 0.5. As the issue describes it we use the
// symmetric form: SimCLR's NT-Xent over the 2N embeddings [stolen; victim] with positives (stolen_i, victim_i).
// (The authors' code takes stolen anchors only and leaves the positive out of the denominator; both pull each stolen
// embedding to its victim embedding and push it from the other images' embeddings of either model.)
import type * as tf from '@tensorflow/tfjs-core';
import { ntXentLoss } from './info-nce.ts';

export function contStealLoss(stolen: tf.Tensor2D, victim: tf.Tensor2D, temperature = 0.5): tf.Scalar {
  return ntXentLoss(stolen, victim, temperature);
}
