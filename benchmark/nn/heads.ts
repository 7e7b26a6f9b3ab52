// Heads that sit on top of an encoder during training: the MLP projector (SimCLR, Barlow Twins, SimSiam), the SimSiam
// predictor (a bottleneck MLP), and the linear classifier of supervised training. They are thrown away after SSL
// training, unless the victim deployment serves projections (the paper's "access head", table 4).
import * as tfl from '@tensorflow/tfjs-layers';
import { deriveSeed } from '../util/random.ts';

export interface MlpHeadSpec {
  inputDim: number;
  /** Widths of the hidden dense-BN-ReLU layers (empty: a single linear layer). */
  hiddenDims: readonly number[];
  outputDim: number;
  /**
   * SimSiam's projector ends with a BN. The original has no affine terms; tfjs-layers 4.22's BN cannot train with
   * scale/center off (it reads a null gamma), so ours keeps them: a learnable rescaling, same fixed point.
   */
  outputBatchNorm?: boolean;
}

function checkDim(field: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`MlpHeadSpec.${field}: expected a positive integer, found ${value}`);
}

/** dense -> BN -> ReLU for each hidden width, then a final dense (and optionally a BN without affine terms). */
export function createMlpHead(spec: MlpHeadSpec, seed: number): tfl.Sequential {
  checkDim('inputDim', spec.inputDim);
  checkDim('outputDim', spec.outputDim);
  spec.hiddenDims.forEach((d, i) => checkDim(`hiddenDims[${i}]`, d));
  const head = tfl.sequential({ name: 'mlp_head' });
  let index = 0;
  const dense = (units: number, useBias: boolean, inputShape?: number[]) =>
    tfl.layers.dense({
      units,
      useBias,
      inputShape,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: deriveSeed(seed, `head/${index++}`) }),
    });
  let first = true;
  for (const width of spec.hiddenDims) {
    head.add(dense(width, false, first ? [spec.inputDim] : undefined));
    head.add(tfl.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 }));
    head.add(tfl.layers.reLU());
    first = false;
  }
  head.add(dense(spec.outputDim, !spec.outputBatchNorm, first ? [spec.inputDim] : undefined));
  if (spec.outputBatchNorm) head.add(tfl.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 }));
  return head;
}

/** A softmax classifier's logits layer: one dense layer, no activation (the loss applies the softmax). */
export function createLinearHead(inputDim: number, classes: number, seed: number): tfl.Sequential {
  checkDim('inputDim', inputDim);
  checkDim('outputDim', classes);
  const head = tfl.sequential({ name: 'linear_head' });
  head.add(
    tfl.layers.dense({
      units: classes,
      inputShape: [inputDim],
      kernelInitializer: tfl.initializers.glorotUniform({ seed: deriveSeed(seed, 'linear') }),
    }),
  );
  return head;
}
