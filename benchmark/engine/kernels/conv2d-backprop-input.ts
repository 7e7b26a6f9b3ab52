// Conv2DBackpropInput for wasm (the stock one is a scalar loop), as XNNPACK forward convs, one per output phase.
// With padded coordinates h' = h + padTop = b·s + r (block b, phase r < s), the forward conv gives
//   dx[h'] = Σ_m dy[b − m] · W[m·s + r]        (m ≥ 0, m·s + r < K)
// so every phase r is a stride-1 "full" correlation of dy with the sub-filter W[r::s], flipped: a forward conv with
// M_r = ceil((K − r)/s) taps, padding M_r − 1 on top. A copy loop then interleaves the phases into [n, H, W, ci] and
// drops the padding rows in the same pass. No zero-upsampled dy and no zero taps: a 3×3 stride-2 conv costs 9
// multiply-adds per 2×2 block (the textbook upsampled dy: 36). With few input channels (a first layer) all phases
// share one conv instead, their sub-filters zero-padded to the largest (16 multiply-adds per block for 3×3 stride 2).
//
// Both ways each output adds its non-zero taps in the same order: zero taps only ever add ±0 to an accumulator that is
// +0 or non-zero, which changes nothing, so the result is bit for bit the same (test/engine-exact.test.ts compares).
import {
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
} from '@tensorflow/tfjs-core';
import { convGeometry, type ConvGeometry } from './conv-geometry.ts';
import { asWasm, conv2d, release, reshape, slice, transpose, type TensorInfo, type WasmBackend } from './wasm-ops.ts';

/** One output phase (rh, rw): its taps, and where its blocks sit in the padded output. */
interface Phase {
  rh: number;
  rw: number;
  /** Taps of the sub-filter W[rh::sh, rw::sw] (0 when the filter is smaller than the stride). */
  mh: number;
  mw: number;
}

/**
 * The filter of one conv computing `phases` together: G[jh, jw, co, p·ci + c] = W[(m_p−1−j'h)·sh + rh, …, c, co] with
 * j'h = jh − (mh − m_p) (a phase with fewer taps than the conv has zeros in its first taps), i.e. each phase's
 * sub-filter, flipped, with each tap's [ci, co] matrix as [co, ci]. `swapped` is W as [KH, KW, co, ci].
 */
function phaseFilter(
  backend: WasmBackend,
  swapped: TensorInfo,
  g: ConvGeometry,
  phases: Phase[],
  mh: number,
  mw: number,
): TensorInfo {
  const { filterWidth: kw, inChannels: ci, outChannels: co, strideHeight: sh, strideWidth: sw } = g;
  const block = co * ci;
  const depth = phases.length * ci;
  const out = backend.makeOutput([mh, mw, co, depth], 'float32');
  // Views after makeOutput: allocating may grow the heap and detach older views.
  const w = backend.typedArrayFromHeap(swapped) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  if (phases.some((phase) => phase.mh !== mh || phase.mw !== mw)) dst.fill(0);
  phases.forEach((phase, p) => {
    for (let jh = 0; jh < phase.mh; jh++) {
      const fh = (phase.mh - 1 - jh) * sh + phase.rh;
      for (let jw = 0; jw < phase.mw; jw++) {
        const fw = (phase.mw - 1 - jw) * sw + phase.rw;
        const src = (fh * kw + fw) * block;
        const tap = ((jh + mh - phase.mh) * mw + jw + mw - phase.mw) * co * depth + p * ci;
        if (depth === ci) {
          dst.set(w.subarray(src, src + block), tap);
        } else {
          for (let o = 0; o < co; o++) dst.set(w.subarray(src + o * ci, src + (o + 1) * ci), tap + o * depth);
        }
      }
    }
  });
  return out;
}

/** Blocks b = q .. q + B − 1 cover padded rows [pad, pad + H): q = ⌊pad/s⌋, rem = pad − q·s, B = ⌈(rem + H)/s⌉. */
function blocks(pad: number, stride: number, size: number): { q: number; rem: number; count: number } {
  const q = Math.floor(pad / stride);
  const rem = pad - q * stride;
  return { q, rem, count: Math.ceil((rem + size) / stride) };
}

/** The phase's conv: output block i reads dy rows i + q − (M − 1) + j, j < M; dy is padded (or cropped) to match. */
function phaseConv(
  backend: WasmBackend,
  dy: TensorInfo,
  filter: TensorInfo,
  g: ConvGeometry,
  mh: number,
  mw: number,
): TensorInfo {
  const bh = blocks(g.padTop, g.strideHeight, g.inHeight);
  const bw = blocks(g.padLeft, g.strideWidth, g.inWidth);
  const top = mh - 1 - bh.q;
  const bottom = bh.count + bh.q - g.outHeight;
  const left = mw - 1 - bw.q;
  const right = bw.count + bw.q - g.outWidth;
  const cropTop = Math.max(0, -top);
  const cropLeft = Math.max(0, -left);
  const keepH = g.outHeight - cropTop - Math.max(0, -bottom);
  const keepW = g.outWidth - cropLeft - Math.max(0, -right);
  const needsCrop = cropTop > 0 || cropLeft > 0 || keepH < g.outHeight || keepW < g.outWidth;
  const dyUsed = needsCrop ? slice(backend, dy, [0, cropTop, cropLeft, 0], [g.batch, keepH, keepW, g.outChannels]) : dy;
  const out = conv2d(
    backend,
    dyUsed,
    filter,
    [1, 1],
    [1, 1],
    [
      [Math.max(0, top), Math.max(0, bottom)],
      [Math.max(0, left), Math.max(0, right)],
    ],
  ); // [n, Bh, Bw, phases·ci]
  if (needsCrop) release(backend, dyUsed);
  return out;
}

/** Where a phase's values are: channels [offset, offset + ci) of a conv output with `depth` channels. */
interface PhaseOutput {
  info: TensorInfo;
  depth: number;
  offset: number;
}

/**
 * dx[n, h, w, c] = phase(h' mod sh, w' mod sw)[n, ⌊h'/sh⌋, ⌊w'/sw⌋, c] with h' = h + rem: a plain copy loop over the
 * heap (tfjs-backend-wasm's DepthToSpace is a generic strided loop and was 10x slower). Phases without taps are 0.
 */
function interleavePhases(backend: WasmBackend, outputs: (PhaseOutput | undefined)[], g: ConvGeometry): TensorInfo {
  const { batch, inHeight: H, inWidth: W, inChannels: ci, strideHeight: sh, strideWidth: sw } = g;
  const bh = blocks(g.padTop, sh, H);
  const bw = blocks(g.padLeft, sw, W);
  const out = backend.makeOutput([batch, H, W, ci], 'float32');
  // Views after makeOutput: allocating may grow the heap and detach older views.
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  // Per phase: its view, channel stride and offset (-1: no taps, zeros), kept in flat arrays for a monomorphic loop.
  const views = outputs.map((o) => (o ? (backend.typedArrayFromHeap(o.info) as Float32Array) : dst));
  const depths = Int32Array.from(outputs, (o) => (o ? o.depth : 0));
  const offsets = Int32Array.from(outputs, (o) => (o ? o.offset : -1));
  // Long runs are moved within the wasm heap (every view above is a window on it) by copyWithin: no subarray, so
  // no allocation per pixel. heapStarts[p]: where phase p's view starts in the heap, in floats.
  const heap = new Float32Array(dst.buffer);
  const dstStart = dst.byteOffset >> 2;
  const heapStarts = Int32Array.from(views, (v) => v.byteOffset >> 2);
  let d = 0;
  for (let n = 0; n < batch; n++) {
    for (let h = 0; h < H; h++) {
      const hp = h + bh.rem;
      const rowBase = (n * bh.count + Math.floor(hp / sh)) * bw.count;
      const phaseRow = (hp % sh) * sw;
      for (let w = 0; w < W; w++, d += ci) {
        const wp = w + bw.rem;
        const p = phaseRow + (wp % sw);
        if (offsets[p]! < 0) {
          dst.fill(0, d, d + ci);
          continue;
        }
        const src = views[p]!;
        const base = (rowBase + Math.floor(wp / sw)) * depths[p]! + offsets[p]!;
        if (ci >= 16) heap.copyWithin(dstStart + d, heapStarts[p]! + base, heapStarts[p]! + base + ci);
        else for (let c = 0; c < ci; c++) dst[d + c] = src[base + c]!;
      }
    }
  }
  return out;
}

/**
 * Below this many input channels one conv computes all phases (a phase conv with so few output channels leaves
 * XNNPACK's 8-wide tiles mostly empty: 4x slower for a first layer on 1-channel images), paying for the zero taps.
 */
const SEPARATE_PHASES_MIN_CHANNELS = 16;

type BackpropInputArgs = {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  attrs: Conv2DBackpropInputAttrs;
  backend: unknown;
};

/** The kernel; from `separateFrom` input channels on, one conv per phase (tests compare both ways: same bits). */
export function conv2dBackpropInputWith(separateFrom: number): KernelFunc {
  return ((args: BackpropInputArgs) => conv2dBackpropInput(args, separateFrom)) as unknown as KernelFunc;
}

function conv2dBackpropInput(args: BackpropInputArgs, separateFrom: number): TensorInfo {
  const {
    inputs: { dy, filter },
    attrs,
  } = args;
  const backend = asWasm(args.backend);
  const g = convGeometry(Conv2DBackpropInput, attrs.inputShape, filter.shape, attrs);
  const { filterHeight: kh, filterWidth: kw, inChannels: ci, outChannels: co, strideHeight: sh, strideWidth: sw } = g;
  const taps = reshape(backend, filter, [kh * kw, ci, co]);
  const swapped = ci === 1 || co === 1 ? taps : transpose(backend, taps, [0, 2, 1]); // [tap, co, ci]
  const phases: Phase[] = [];
  for (let rh = 0; rh < sh; rh++) {
    for (let rw = 0; rw < sw; rw++)
      phases.push({ rh, rw, mh: Math.ceil((kh - rh) / sh), mw: Math.ceil((kw - rw) / sw) });
  }
  const withTaps = phases.filter((phase) => phase.mh > 0 && phase.mw > 0);
  const groups = ci < separateFrom ? [withTaps] : withTaps.map((phase) => [phase]);
  const outputs = new Array<PhaseOutput | undefined>(phases.length).fill(undefined);
  const convs: TensorInfo[] = [];
  for (const group of groups) {
    const mh = Math.max(...group.map((phase) => phase.mh));
    const mw = Math.max(...group.map((phase) => phase.mw));
    const groupFilter = phaseFilter(backend, swapped, g, group, mh, mw);
    const conv = phaseConv(backend, dy, groupFilter, g, mh, mw);
    release(backend, groupFilter);
    convs.push(conv);
    group.forEach(
      (phase, p) => (outputs[phase.rh * sw + phase.rw] = { info: conv, depth: group.length * ci, offset: p * ci }),
    );
  }
  if (swapped !== taps) release(backend, swapped);
  release(backend, taps);
  const bh = blocks(g.padTop, sh, g.inHeight);
  const bw = blocks(g.padLeft, sw, g.inWidth);
  if (phases.length === 1 && bh.rem === 0 && bw.rem === 0 && bh.count === g.inHeight && bw.count === g.inWidth)
    return convs[0]!;
  const dx = interleavePhases(backend, outputs, g);
  release(backend, ...convs);
  return dx;
}

export const conv2dBackpropInputKernel: Omit<KernelConfig, 'backendName'> = {
  kernelName: Conv2DBackpropInput,
  kernelFunc: conv2dBackpropInputWith(SEPARATE_PHASES_MIN_CHANNELS),
};
