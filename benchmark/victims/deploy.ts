// A loaded victim as the provider serves it (the `VictimDeployment` the oracle and the defenses see): representations,
// projections through the SSL head, and labels from the downstream classifier, all on plain Float32Arrays, computed
// in inference mode in batches, with every tensor freed before the answer is returned.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { checkVectors, embed, representationDimOf, vectorsToTensor } from '../nn/index.ts';
import type { ImageBatch, Vectors, VictimDeployment } from '../plugin/types.ts';
import { applyClassifier, type DownstreamClassifier } from './classifier.ts';

export interface DeployableVictim {
  id: string;
  encoder: tfl.LayersModel;
  projectionHead?: tfl.LayersModel;
  classifier?: DownstreamClassifier;
}

/** Images per forward pass. */
export const DEPLOY_BATCH_SIZE = 256;

function outputDim(model: tfl.LayersModel): number {
  const shape = model.outputs[0]!.shape;
  return shape[shape.length - 1] as number;
}

async function projectAll(head: tfl.LayersModel, reps: Vectors, batchSize: number): Promise<Vectors> {
  const dim = outputDim(head);
  const out = new Float32Array(reps.count * dim);
  for (let start = 0; start < reps.count; start += batchSize) {
    const end = Math.min(reps.count, start + batchSize);
    const indices = Array.from({ length: end - start }, (_, i) => start + i);
    const y = tf.tidy(() => head.predict(vectorsToTensor(reps, indices)) as tf.Tensor);
    try {
      out.set(await y.data(), start * dim);
    } finally {
      y.dispose();
    }
  }
  return { data: out, count: reps.count, dim };
}

export function deployVictim(victim: DeployableVictim, batchSize = DEPLOY_BATCH_SIZE): VictimDeployment {
  const shape = victim.encoder.inputs[0]!.shape;
  const inputShape = [shape[1], shape[2], shape[3]] as [number, number, number];
  const representationDim = representationDimOf(victim.encoder);
  const encode = (images: ImageBatch) => embed(victim.encoder, images, batchSize);
  const deployment: VictimDeployment = { id: victim.id, inputShape, representationDim, encode };
  const head = victim.projectionHead;
  if (head) {
    deployment.projectionDim = outputDim(head);
    deployment.project = async (reps: Vectors) => {
      checkVectors(reps, `victim '${victim.id}' project()`);
      if (reps.dim !== representationDim)
        throw new Error(
          `victim '${victim.id}' project(): expected ${representationDim}-d representations, found ${reps.dim}-d`,
        );
      return projectAll(head, reps, batchSize);
    };
  }
  const classifier = victim.classifier;
  if (classifier) {
    deployment.classCount = classifier.classes;
    deployment.classify = async (images: ImageBatch) => applyClassifier(classifier, await encode(images));
  }
  return deployment;
}
