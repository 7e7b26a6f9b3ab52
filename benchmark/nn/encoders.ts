// Image encoders f: NHWC images in [0, 1] -> representation vectors (paper section 3.2: the thing a provider serves
// and an attacker steals). `small-cnn` is the CPU default and the engine's reference model; `mid-cnn` (4 convs up
// to 256 filters) and `deep-cnn` (6 convs, three downsamplings) add capacity; `pool` keeps a p×p grid of averaged
// features instead of one global average (issue 11: spatial information and capacity are what let a trained encoder
// beat raw pixels). The CIFAR-style ResNets are the paper's victims (ResNet-18/34 on CIFAR-10/SVHN, 512-d).
// Every initializer gets its own seed derived from the encoder seed, so the same spec + seed gives the same weights.
import * as tfl from '@tensorflow/tfjs-layers';
import { deriveSeed } from '../util/random.ts';

export type EncoderArch = 'small-cnn' | 'mid-cnn' | 'deep-cnn' | 'resnet18' | 'resnet34';

/** What `createEncoder` builds: an architecture, the input shape, a width multiplier, the representation length. */
export interface EncoderSpec {
  arch: EncoderArch;
  /** [height, width, channels] of the images the encoder takes. */
  inputShape: [number, number, number];
  /** Channel multiplier (default 1): 0.5 halves every conv's filters. */
  width?: number;
  /**
   * small-cnn / mid-cnn / deep-cnn: the last conv's filters (default 128, 256, 256 × width); the representation has
   * pool² × that many values. ResNets: 512 × width by default; any other value appends a linear dense layer after
   * global pooling.
   */
  representationDim?: number;
  /**
   * small-cnn, mid-cnn and deep-cnn: side of the final average-pooling grid (default 1, global average pooling).
   * 2 averages the last feature map into 2×2 cells (PyTorch `AdaptiveAvgPool2d(2)`: on 7×7, windows rows/columns
   * 0–3 and 3–6) and flattens them, keeping coarse spatial layout.
   */
  pool?: number;
}

export const ENCODER_ARCHS: readonly EncoderArch[] = ['small-cnn', 'mid-cnn', 'deep-cnn', 'resnet18', 'resnet34'];

/** PyTorch's BatchNorm momentum 0.1 (tfjs counts the other way), so that short CPU trainings have usable running stats.
 * */
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
    throw new Error(
      `EncoderSpec.arch: expected one of ${ENCODER_ARCHS.join(', ')}, found ${JSON.stringify(spec.arch)}`,
    );
  }
  const shape = spec.inputShape;
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(
      `EncoderSpec.inputShape: expected [height, width, channels] of positive integers, found ${JSON.stringify(shape)}`,
    );
  }
  if (spec.width !== undefined && !(spec.width > 0)) {
    throw new Error(`EncoderSpec.width: expected a positive number, found ${spec.width}`);
  }
  if (
    spec.representationDim !== undefined &&
    !(Number.isInteger(spec.representationDim) && spec.representationDim > 0)
  ) {
    throw new Error(`EncoderSpec.representationDim: expected a positive integer, found ${spec.representationDim}`);
  }
  if (spec.pool !== undefined) {
    if (spec.arch.startsWith('resnet'))
      throw new Error(
        `EncoderSpec.pool: only small-cnn, mid-cnn and deep-cnn take a pooling grid, found arch ${spec.arch}`,
      );
    if (!(Number.isInteger(spec.pool) && spec.pool >= 1))
      throw new Error(`EncoderSpec.pool: expected a positive integer, found ${spec.pool}`);
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

/**
 * Pools an h×w feature map to a pool×pool grid with PyTorch's adaptive-average windows (cell i covers
 * [floor(i·h/p), ceil((i+1)·h/p))), as one fixed avgPool when those windows have one size and one stride (true for
 * 7→2, 4→2, any exact division); any other combination is refused rather than approximated.
 */
export function adaptivePoolWindow(size: number, pool: number): { kernel: number; stride: number } {
  if (pool > size) throw new Error(`EncoderSpec.pool: ${pool} is larger than the ${size}×${size} feature map`);
  const starts = Array.from({ length: pool }, (_, i) => Math.floor((i * size) / pool));
  const ends = Array.from({ length: pool }, (_, i) => Math.ceil(((i + 1) * size) / pool));
  const kernel = ends[0]! - starts[0]!;
  const stride = pool > 1 ? starts[1]! - starts[0]! : 1;
  const uniform = starts.every((s, i) => s === i * stride && ends[i]! - s === kernel);
  if (!uniform)
    throw new Error(
      `EncoderSpec.pool: a ${pool}×${pool} adaptive grid on a ${size}×${size} ` +
        `map has uneven windows; choose another pool`,
    );
  return { kernel, stride };
}

/** Global average pooling (pool 1) or a pool×pool grid of averages, flattened. */
function poolHead(x: Sym, pool: number): Sym {
  if (pool === 1) return apply(tfl.layers.globalAveragePooling2d({}), x);
  const [, h, w] = x.shape as [null, number, number, number];
  if (h !== w) throw new Error(`EncoderSpec.pool: needs a square feature map, found ${h}×${w}`);
  const { kernel, stride } = adaptivePoolWindow(h, pool);
  const pooled = apply(tfl.layers.averagePooling2d({ poolSize: kernel, strides: stride, padding: 'valid' }), x);
  return apply(tfl.layers.flatten(), pooled);
}

/** conv 3×3 'same' (no bias), BN, ReLU for each (filters, stride). */
function convStack(x: Sym, seeds: SeedStream, layers: readonly (readonly [filters: number, stride: number])[]): Sym {
  for (const [filters, stride] of layers) {
    x = apply(conv(seeds, filters, 3, stride), x);
    x = apply(batchNorm(), x);
    x = apply(tfl.layers.reLU(), x);
  }
  return x;
}

/** 3 × (conv 3×3 'same', BN, ReLU) with strides 2, 2, 1 (28×28 -> 14 -> 7 -> 7), then average pooling. */
function smallCnn(spec: EncoderSpec, seeds: SeedStream): tfl.LayersModel {
  const width = spec.width ?? 1;
  const input = tfl.input({ shape: spec.inputShape });
  const x = convStack(input, seeds, [
    [scaled(32, width), 2],
    [scaled(64, width), 2],
    [spec.representationDim ?? scaled(128, width), 1],
  ]);
  return tfl.model({ inputs: input, outputs: poolHead(x, spec.pool ?? 1), name: 'small_cnn' });
}

/**
 * 4 × (conv 3×3 'same', BN, ReLU): 32 s2, 64 s1, 128 s2, 256 s1 (× width; 28×28 -> 14 -> 14 -> 7 -> 7), then
 * average pooling: the `mid` candidate of the PyTorch calibration (victims/README.md), 21.7 M multiply-adds an image.
 */
function midCnn(spec: EncoderSpec, seeds: SeedStream): tfl.LayersModel {
  const width = spec.width ?? 1;
  const f = (n: number) => scaled(n, width);
  const input = tfl.input({ shape: spec.inputShape });
  const x = convStack(input, seeds, [
    [f(32), 2],
    [f(64), 1],
    [f(128), 2],
    [spec.representationDim ?? f(256), 1],
  ]);
  return tfl.model({ inputs: input, outputs: poolHead(x, spec.pool ?? 1), name: 'mid_cnn' });
}

/**
 * 6 × (conv 3×3 'same', BN, ReLU): 32 s1, 64 s2, 64 s1, 128 s2, 128 s1, 256 s2 (× width; 28×28 -> 28 -> 14 -> 7
 * -> 4), then average pooling: the `deep` candidate of the PyTorch calibration (victims/README.md).
 */
function deepCnn(spec: EncoderSpec, seeds: SeedStream): tfl.LayersModel {
  const width = spec.width ?? 1;
  const f = (n: number) => scaled(n, width);
  const input = tfl.input({ shape: spec.inputShape });
  const x = convStack(input, seeds, [
    [f(32), 1],
    [f(64), 2],
    [f(64), 1],
    [f(128), 2],
    [f(128), 1],
    [spec.representationDim ?? f(256), 2],
  ]);
  return tfl.model({ inputs: input, outputs: poolHead(x, spec.pool ?? 1), name: 'deep_cnn' });
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
    case 'mid-cnn':
      return midCnn(spec, seeds);
    case 'deep-cnn':
      return deepCnn(spec, seeds);
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
  if (typeof dim !== 'number')
    throw new Error(`model ${model.name}: output shape ${JSON.stringify(shape)} has no fixed last dimension`);
  return dim;
}
