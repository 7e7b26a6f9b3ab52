// Image encoders f: NHWC images in [0, 1] -> representation vectors (paper section 3.2: the thing a provider serves
// and an attacker steals). `small-cnn` is the CPU default and the engine's reference model; the CIFAR-style ResNets
// are the paper's victims (ResNet-18/34 on CIFAR-10/SVHN, 512-d representations) for the `paper` profile.
// Every initializer gets its own seed derived from the encoder seed, so the same spec + seed gives the same weights.
import * as tfl from '@tensorflow/tfjs-layers';
import { deriveSeed } from '../util/random.ts';

export type EncoderArch = 'small-cnn' | 'resnet18' | 'resnet34';

export interface EncoderSpec {
  arch: EncoderArch;
  /** [height, width, channels] of the images the encoder takes. */
  inputShape: [number, number, number];
  /** Channel multiplier (default 1): 0.5 halves every conv's filters. */
  width?: number;
  /**
   * Length of the representation. small-cnn: the last conv's filters (default 128 × width). ResNets: 512 × width by
   * default; any other value appends a linear dense layer after global pooling.
   */
  representationDim?: number;
}

export const ENCODER_ARCHS: readonly EncoderArch[] = ['small-cnn', 'resnet18', 'resnet34'];

/** PyTorch's BatchNorm momentum 0.1 (tfjs counts the other way), so that short CPU trainings have usable running stats. */
const BN_MOMENTUM = 0.9;
const BN_EPSILON = 1e-5;

/** Hands out one seed per initializer, in construction order, so nothing depends on global layer-name counters. */
class SeedStream {
  private next = 0;
  constructor(private readonly seed: number) {}
  take(): number {
    return deriveSeed(this.seed, `init/${this.next++}`);
  }
}

function checkSpec(spec: EncoderSpec): void {
  if (!ENCODER_ARCHS.includes(spec.arch)) {
    throw new Error(`EncoderSpec.arch: expected one of ${ENCODER_ARCHS.join(', ')}, found ${JSON.stringify(spec.arch)}`);
  }
  const shape = spec.inputShape;
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`EncoderSpec.inputShape: expected [height, width, channels] of positive integers, found ${JSON.stringify(shape)}`);
  }
  if (spec.width !== undefined && !(spec.width > 0)) {
    throw new Error(`EncoderSpec.width: expected a positive number, found ${spec.width}`);
  }
  if (spec.representationDim !== undefined && !(Number.isInteger(spec.representationDim) && spec.representationDim > 0)) {
    throw new Error(`EncoderSpec.representationDim: expected a positive integer, found ${spec.representationDim}`);
  }
}

function scaled(filters: number, width: number): number {
  return Math.max(1, Math.round(filters * width));
}

function conv(seeds: SeedStream, filters: number, kernelSize: number, strides: number): tfl.layers.Layer {
  return tfl.layers.conv2d({
    filters,
    kernelSize,
    strides,
    padding: 'same',
    useBias: false, // a batch norm follows every conv
    kernelInitializer: tfl.initializers.heNormal({ seed: seeds.take() }),
  });
}

function batchNorm(): tfl.layers.Layer {
  return tfl.layers.batchNormalization({ momentum: BN_MOMENTUM, epsilon: BN_EPSILON });
}

function denseLinear(seeds: SeedStream, units: number): tfl.layers.Layer {
  return tfl.layers.dense({ units, kernelInitializer: tfl.initializers.glorotUniform({ seed: seeds.take() }) });
}

type Sym = tfl.SymbolicTensor;
const apply = (layer: tfl.layers.Layer, x: Sym | Sym[]): Sym => layer.apply(x) as Sym;

/** 3 × (conv 3×3 'same', BN, ReLU) with strides 2, 2, 1 (28×28 -> 14 -> 7 -> 7), then global average pooling. */
function smallCnn(spec: EncoderSpec, seeds: SeedStream): tfl.LayersModel {
  const width = spec.width ?? 1;
  const filters = [scaled(32, width), scaled(64, width), spec.representationDim ?? scaled(128, width)];
  const strides = [2, 2, 1];
  const input = tfl.input({ shape: spec.inputShape });
  let x: Sym = input;
  for (let i = 0; i < 3; i++) {
    x = apply(conv(seeds, filters[i]!, 3, strides[i]!), x);
    x = apply(batchNorm(), x);
    x = apply(tfl.layers.reLU(), x);
  }
  const output = apply(tfl.layers.globalAveragePooling2d({}), x);
  return tfl.model({ inputs: input, outputs: output, name: 'small_cnn' });
}

/** ResNet basic block: two 3×3 convs; a 1×1 strided conv + BN on the shortcut when the shape changes. */
function basicBlock(x: Sym, seeds: SeedStream, filters: number, strides: number): Sym {
  const inChannels = x.shape[x.shape.length - 1];
  let y = apply(conv(seeds, filters, 3, strides), x);
  y = apply(batchNorm(), y);
  y = apply(tfl.layers.reLU(), y);
  y = apply(conv(seeds, filters, 3, 1), y);
  y = apply(batchNorm(), y);
  let shortcut = x;
  if (strides !== 1 || inChannels !== filters) {
    shortcut = apply(conv(seeds, filters, 1, strides), x);
    shortcut = apply(batchNorm(), shortcut);
  }
  return apply(tfl.layers.reLU(), apply(tfl.layers.add(), [y, shortcut]));
}

/** CIFAR-style ResNet: 3×3 stem without max-pool, four stages (64, 128, 256, 512) × width, global average pooling. */
function resnet(spec: EncoderSpec, seeds: SeedStream, blocks: readonly number[], name: string): tfl.LayersModel {
  const width = spec.width ?? 1;
  const input = tfl.input({ shape: spec.inputShape });
  let x = apply(conv(seeds, scaled(64, width), 3, 1), input);
  x = apply(batchNorm(), x);
  x = apply(tfl.layers.reLU(), x);
  const stageFilters = [64, 128, 256, 512].map((f) => scaled(f, width));
  blocks.forEach((count, stage) => {
    for (let b = 0; b < count; b++) {
      x = basicBlock(x, seeds, stageFilters[stage]!, stage > 0 && b === 0 ? 2 : 1);
    }
  });
  let output = apply(tfl.layers.globalAveragePooling2d({}), x);
  if (spec.representationDim !== undefined && spec.representationDim !== stageFilters[3]) {
    output = apply(denseLinear(seeds, spec.representationDim), output);
  }
  return tfl.model({ inputs: input, outputs: output, name });
}

/** Builds a fresh encoder; the same spec and seed always give bit-identical initial weights. */
export function createEncoder(spec: EncoderSpec, seed: number): tfl.LayersModel {
  checkSpec(spec);
  const seeds = new SeedStream(seed);
  switch (spec.arch) {
    case 'small-cnn':
      return smallCnn(spec, seeds);
    case 'resnet18':
      return resnet(spec, seeds, [2, 2, 2, 2], 'resnet18');
    case 'resnet34':
      return resnet(spec, seeds, [3, 4, 6, 3], 'resnet34');
  }
}

/** Length of the vectors an encoder returns (its last output dimension). */
export function representationDimOf(model: tfl.LayersModel): number {
  const shape = model.outputs[0]!.shape;
  const dim = shape[shape.length - 1];
  if (typeof dim !== 'number') throw new Error(`model ${model.name}: output shape ${JSON.stringify(shape)} has no fixed last dimension`);
  return dim;
}
