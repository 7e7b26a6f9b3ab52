// The engine's reference workload: the 3-conv 32-64-128 encoder (same shape as benchmark/nn's `small-cnn`: conv 3×3
// 'same' + BN + ReLU, strides 2, 2, 1, global average pooling -> 128-d), a dense projection head, and an MSE or
// InfoNCE-style loss, trained with Adam. Variants add the other layers the project's models use (max pooling, a
// depthwise conv, a ResNet block with a strided 1×1 shortcut) so that tests and the benchmark exercise their gradients.
// Self-contained on purpose: the engine's tests must not depend on the model code they are meant to make fast.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export type ReferenceVariant = 'plain' | 'maxpool' | 'depthwise' | 'resnet';
export type ReferenceLoss = 'mse' | 'infonce';

export interface ReferenceSpec {
  variant?: ReferenceVariant;
  inputShape?: [number, number, number];
  seed?: number;
}

type Sym = tfl.SymbolicTensor;
const apply = (layer: tfl.layers.Layer, x: Sym | Sym[]): Sym => layer.apply(x) as Sym;

function convBnRelu(x: Sym, filters: number, kernelSize: number, strides: number, seed: number): Sym {
  const conv = tfl.layers.conv2d({
    filters,
    kernelSize,
    strides,
    padding: 'same',
    useBias: false,
    kernelInitializer: tfl.initializers.heNormal({ seed }),
  });
  return apply(
    tfl.layers.activation({ activation: 'relu' }),
    apply(tfl.layers.batchNormalization({ epsilon: 1e-5 }), apply(conv, x)),
  );
}

/** Encoder + projection head as one model with two outputs: [representation (128-d), projection (64-d)]. */
export function createReferenceModel(spec: ReferenceSpec = {}): tfl.LayersModel {
  const variant = spec.variant ?? 'plain';
  const seed = spec.seed ?? 1;
  const input = tfl.input({ shape: spec.inputShape ?? [28, 28, 1] });
  let x: Sym;
  if (variant === 'maxpool') {
    x = convBnRelu(input, 32, 3, 1, seed + 1);
    x = apply(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same' }), x);
    x = convBnRelu(x, 64, 3, 1, seed + 2);
    x = apply(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'valid' }), x);
    x = convBnRelu(x, 128, 3, 1, seed + 3);
  } else {
    x = convBnRelu(input, 32, 3, 2, seed + 1);
    x = convBnRelu(x, 64, 3, 2, seed + 2);
    if (variant === 'depthwise') {
      x = apply(
        tfl.layers.depthwiseConv2d({
          kernelSize: 3,
          padding: 'same',
          useBias: false,
          depthwiseInitializer: tfl.initializers.heNormal({ seed: seed + 7 }),
        }),
        x,
      );
    }
    if (variant === 'resnet') {
      // A basic block 64 -> 128 with stride 2 and a strided 1×1 projection shortcut.
      let y = convBnRelu(x, 128, 3, 2, seed + 3);
      y = apply(
        tfl.layers.batchNormalization({ epsilon: 1e-5 }),
        apply(
          tfl.layers.conv2d({
            filters: 128,
            kernelSize: 3,
            padding: 'same',
            useBias: false,
            kernelInitializer: tfl.initializers.heNormal({ seed: seed + 4 }),
          }),
          y,
        ),
      );
      const shortcut = apply(
        tfl.layers.conv2d({
          filters: 128,
          kernelSize: 1,
          strides: 2,
          padding: 'same',
          useBias: false,
          kernelInitializer: tfl.initializers.heNormal({ seed: seed + 5 }),
        }),
        x,
      );
      x = apply(tfl.layers.activation({ activation: 'relu' }), apply(tfl.layers.add(), [y, shortcut]));
    } else {
      x = convBnRelu(x, 128, 3, 1, seed + 3);
    }
  }
  const representation = apply(tfl.layers.globalAveragePooling2d({}), x);
  const hidden = apply(
    tfl.layers.activation({ activation: 'relu' }),
    apply(
      tfl.layers.dense({ units: 128, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 8 }) }),
      representation,
    ),
  );
  const projection = apply(
    tfl.layers.dense({ units: 64, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 9 }) }),
    hidden,
  );
  return tfl.model({ inputs: input, outputs: [representation, projection] });
}

/** Rows scaled to unit length. */
function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.sqrt(tf.add(tf.sum(tf.square(x), 1, true), 1e-12)));
}

/**
 * InfoNCE between two aligned batches: logits = za·zbᵀ / temperature of the normalised vectors, the positive of row i
 * is column i; softmax cross-entropy (the matMul with transposeB is one of the kernels we keep fast).
 */
export function infoNce(za: tf.Tensor2D, zb: tf.Tensor2D, temperature = 0.5): tf.Scalar {
  const logits = tf.div(tf.matMul(l2Normalize(za), l2Normalize(zb), false, true), temperature);
  const labels = tf.oneHot(tf.range(0, za.shape[0], 1, 'int32'), za.shape[0]);
  return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
}

/** The loss of one step: MSE of the projection to a target (direct extraction), or InfoNCE between two views. */
export function referenceLoss(
  model: tfl.LayersModel,
  x: tf.Tensor4D,
  loss: ReferenceLoss,
  target: tf.Tensor2D,
  x2?: tf.Tensor4D,
): tf.Scalar {
  const [, projection] = model.apply(x, { training: true }) as tf.Tensor[];
  if (loss === 'mse') return tf.losses.meanSquaredError(target, projection as tf.Tensor2D) as tf.Scalar;
  const [, projection2] = model.apply(x2 ?? tf.reverse(x, 2), { training: true }) as tf.Tensor[];
  return infoNce(projection as tf.Tensor2D, projection2 as tf.Tensor2D);
}

/** Deterministic inputs for a step: images in [0, 1) and a target for the MSE loss. */
export function referenceBatch(
  batch: number,
  inputShape: [number, number, number] = [28, 28, 1],
  seed = 7,
): { x: tf.Tensor4D; target: tf.Tensor2D } {
  return tf.tidy(() => ({
    x: tf.randomUniform([batch, ...inputShape], 0, 1, 'float32', seed) as tf.Tensor4D,
    target: tf.randomNormal([batch, 64], 0, 1, 'float32', seed + 1) as tf.Tensor2D,
  }));
}

/** One training step (forward, loss, backward, Adam update); returns the loss value. Leaves no tensors behind. */
export function trainStep(
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  x: tf.Tensor4D,
  target: tf.Tensor2D,
  loss: ReferenceLoss = 'mse',
): number {
  const value = optimizer.minimize(
    () => referenceLoss(model, x, loss, target),
    true,
    model.trainableWeights.map((w) => w.read() as tf.Variable),
  );
  const result = value!.dataSync()[0]!;
  value!.dispose();
  return result;
}

/** Loss and gradients w.r.t. every trainable weight, by weight name (for comparing backends). */
export function lossAndGrads(
  model: tfl.LayersModel,
  x: tf.Tensor4D,
  target: tf.Tensor2D,
  loss: ReferenceLoss = 'mse',
): { loss: number; grads: Map<string, Float32Array> } {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => referenceLoss(model, x, loss, target), vars);
  const out = new Map<string, Float32Array>();
  model.trainableWeights.forEach((w, i) => out.set(w.name, grads[vars[i]!.name]!.dataSync() as Float32Array));
  const lossValue = value.dataSync()[0]!;
  tf.dispose([value, ...Object.values(grads)]);
  return { loss: lossValue, grads: out };
}

/**
 * The smallest |pre-activation| over every ReLU of the model for input x (training mode). Comparing gradients across
 * backends only makes sense when it is clear of rounding noise: a pre-activation within ~1e-6 of zero can take the
 * other side of the kink on the other backend, and then one unit's whole gradient differs.
 */
export function reluMargin(model: tfl.LayersModel, x: tf.Tensor4D): number {
  const reluInputs = model.layers
    .filter(
      (layer) =>
        layer.getClassName() === 'Activation' && (layer.getConfig() as { activation?: string }).activation === 'relu',
    )
    .map((layer) => layer.input as tfl.SymbolicTensor);
  const probe = tfl.model({ inputs: model.inputs, outputs: reluInputs });
  return tf.tidy(() => {
    const outs = probe.apply(x, { training: true }) as tf.Tensor[];
    return Math.min(...outs.map((t) => tf.min(tf.abs(t)).dataSync()[0]!));
  });
}
