// Is a model usable as an encoder of these images? Checked before the harness relies on one, so that a broken or
// hostile encoder (a stolen copy, or a victim) is refused with a message naming whose it is, instead of failing later
// in scoring with a message that names nothing (e.g. a RangeError out of a buffer copy for a 4-D output).
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { createRng } from '../util/random.ts';

/** Longest representation the harness scores (probes and CKA hold count × dim floats). */
export const MAX_REPRESENTATION_DIM = 8192;
/** Images of the forward pass that checks the outputs. */
const PROBE_IMAGES = 4;

/**
 * `null` when `model` maps NHWC images of `inputShape` to finite vectors (rank-2 output, 1 … MAX_REPRESENTATION_DIM
 * long) and all its weights are finite; else what is wrong, in words. Runs one small forward pass on seeded images.
 */
export function encoderProblem(model: tfl.LayersModel, inputShape: readonly [number, number, number]): string | null {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    return `it has ${model.inputs.length} input(s) and ${model.outputs.length} output(s); an encoder has one of each`;
  }
  const input = model.inputs[0]!.shape;
  const wanted = [null, ...inputShape];
  if (input.length !== 4 || input.slice(1).some((d, i) => d !== inputShape[i])) {
    return `its input shape is ${JSON.stringify(input)}, expected ${JSON.stringify(wanted)} (the victim's images)`;
  }
  const output = model.outputs[0]!.shape;
  if (output.length !== 2)
    return `its output shape is ${JSON.stringify(output)}, of rank ${output.length}; expected rank 2 [batch, dim]`;
  const dim = output[1];
  if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 1 || dim > MAX_REPRESENTATION_DIM) {
    return `its output dimension is ${JSON.stringify(dim)}, expected an integer in 1 … ${MAX_REPRESENTATION_DIM}`;
  }
  for (const weight of model.weights) {
    const values = weight.read().dataSync();
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) return `weight ${weight.name} holds ${values[bad]} at index ${bad}; every weight must be finite`;
  }
  const rng = createRng(7);
  const pixels = Float32Array.from({ length: PROBE_IMAGES * inputShape[0] * inputShape[1] * inputShape[2] }, () =>
    rng.next(),
  );
  const y = tf.tidy(() => model.predict(tf.tensor4d(pixels, [PROBE_IMAGES, ...inputShape])) as tf.Tensor);
  const out = { shape: y.shape, values: y.dataSync() };
  y.dispose();
  if (out.shape.length !== 2 || out.shape[0] !== PROBE_IMAGES || out.shape[1] !== dim) {
    return (
      `on ${PROBE_IMAGES} images it returned shape ${JSON.stringify(out.shape)}, ` +
      `expected [${PROBE_IMAGES}, ${dim}]`
    );
  }
  const bad = out.values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0)
    return `its output holds ${out.values[bad]} (row ${Math.floor(bad / dim)}); every output must be finite`;
  return null;
}
