// Conversions between the plugin contract's plain arrays (ImageBatch, Vectors) and tfjs tensors, with the checks that
// turn a malformed batch into an error that says which field is wrong.
import * as tf from '@tensorflow/tfjs-core';
import type { ImageBatch, ImageSet, Vectors } from '../plugin/types.ts';

export function checkImageBatch(batch: ImageBatch, where: string): void {
  for (const field of ['count', 'height', 'width', 'channels'] as const) {
    const v = batch[field];
    if (!Number.isInteger(v) || v < (field === 'count' ? 0 : 1)) {
      throw new Error(
        `${where}: ${field} must be a ${field === 'count' ? 'non-negative' : 'positive'} integer, found ${v}`,
      );
    }
  }
  if (!(batch.data instanceof Float32Array))
    throw new Error(`${where}: data must be a Float32Array, found ${Object.prototype.toString.call(batch.data)}`);
  const expected = batch.count * batch.height * batch.width * batch.channels;
  if (batch.data.length !== expected) {
    throw new Error(
      `${where}: data has ${batch.data.length} values, expected count×height×width×channels = ` +
        `${batch.count}×${batch.height}×${batch.width}×${batch.channels} = ${expected}`,
    );
  }
}

export function checkVectors(vectors: Vectors, where: string): void {
  if (!(vectors.data instanceof Float32Array)) throw new Error(`${where}: data must be a Float32Array`);
  if (vectors.data.length !== vectors.count * vectors.dim) {
    throw new Error(
      `${where}: data has ${vectors.data.length} values, expected count×dim = ` +
        `${vectors.count}×${vectors.dim} = ${vectors.count * vectors.dim}`,
    );
  }
}

/** The images at `indices` (all of them when omitted) as an NHWC float32 tensor. */
export function imagesToTensor(batch: ImageBatch, indices?: ArrayLike<number>): tf.Tensor4D {
  const size = batch.height * batch.width * batch.channels;
  const shape: [number, number, number, number] = [
    indices ? indices.length : batch.count,
    batch.height,
    batch.width,
    batch.channels,
  ];
  if (!indices) return tf.tensor4d(batch.data, shape);
  const out = new Float32Array(indices.length * size);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i]!;
    out.set(batch.data.subarray(j * size, (j + 1) * size), i * size);
  }
  return tf.tensor4d(out, shape);
}

/** Rows at `indices` of a Vectors matrix as a [n, dim] tensor. */
export function vectorsToTensor(vectors: Vectors, indices?: ArrayLike<number>): tf.Tensor2D {
  if (!indices) return tf.tensor2d(vectors.data, [vectors.count, vectors.dim]);
  const out = new Float32Array(indices.length * vectors.dim);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i]!;
    out.set(vectors.data.subarray(j * vectors.dim, (j + 1) * vectors.dim), i * vectors.dim);
  }
  return tf.tensor2d(out, [indices.length, vectors.dim]);
}

/** Reads a 2-D tensor back as `Vectors` (rows × dim, Float32Array) and leaves the tensor to the caller to dispose. */
export async function tensorToVectors(t: tf.Tensor2D): Promise<Vectors> {
  return { data: (await t.data()) as Float32Array, count: t.shape[0], dim: t.shape[1] };
}

/** A sub-batch of images (copies), e.g. one training batch or the first n images of a set. */
export function sliceImages(batch: ImageBatch, start: number, end: number): ImageBatch {
  const size = batch.height * batch.width * batch.channels;
  return { ...pickShape(batch), count: end - start, data: batch.data.slice(start * size, end * size) };
}

function pickShape(batch: ImageBatch) {
  return { height: batch.height, width: batch.width, channels: batch.channels };
}

/** Number of classes of a labelled set: its class names, else the largest label + 1. */
export function classCount(set: ImageSet, where: string): number {
  if (!set.labels) throw new Error(`${where}: the image set ${JSON.stringify(set.name)} has no labels`);
  if (set.labels.length !== set.count)
    throw new Error(`${where}: ${set.name} has ${set.labels.length} labels for ${set.count} images`);
  let max = -1;
  for (const l of set.labels) {
    if (l < 0) throw new Error(`${where}: ${set.name} has a negative label ${l}`);
    if (l > max) max = l;
  }
  return Math.max(set.classes?.length ?? 0, max + 1);
}
