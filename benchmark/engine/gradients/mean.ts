// The Mean gradient on wasm without the full-size intermediates. tfjs-core computes dx = (reshape(dy) · ones(x)) / n
// (a Fill, a broadcast Multiply and a RealDiv over the whole input, twice per batch-norm layer for its moments).
// Multiplying by one changes nothing and the division is the same float32 division on fewer elements, so
// tile(reshape(dy / n)) is bit for bit the same tensor, made by one pass of our Tile kernel.
import * as tf from '@tensorflow/tfjs-core';
import { Mean, util, type GradConfig, type MeanAttrs, type NamedAttrMap } from '@tensorflow/tfjs-core';

export function meanGrad(original: GradConfig): GradConfig {
  return {
    kernelName: Mean,
    inputsToSave: original.inputsToSave,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: NamedAttrMap) => {
      const [x] = saved as [tf.Tensor];
      const grad = dy as tf.Tensor;
      if (tf.getBackend() !== 'wasm' || grad.dtype !== 'float32') return original.gradFunc(dy, saved, attrs);
      const axes = util.parseAxisParam((attrs as unknown as MeanAttrs).axis, x.shape);
      const expandedShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      const reps = x.shape.map((d, i) => (axes.includes(i) ? d : 1));
      const reduceSize = util.sizeFromShape(axes.map((a) => x.shape[a]!));
      return { x: () => tf.tile(tf.reshape(tf.div(grad, reduceSize), expandedShape), reps) };
    },
  };
}
