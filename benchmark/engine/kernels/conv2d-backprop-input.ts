// Conv2DBackpropInput for wasm (the stock one is a scalar loop), computed by ONE XNNPACK forward conv, polyphase style.
// With padded coordinates h' = h + padTop = b·s + r (block b, phase r < s), the forward conv gives
//   dx[h'] = Σ_m dy[b − m] · W[m·s + r]        (m ≥ 0, m·s + r < K)
// so every phase r is a stride-1 "full" correlation of dy with the sub-filter W[r::s], flipped. All s² phases share
// the input dy, so they are one conv with s²·ci output channels: filter G[j, co, (rh·s + rw)·ci + c] =
// W[(M−1−j)·s + r, c, co] (zero past K), M = ceil(K/s), padding M−1 on top. A copy loop then interleaves the
// phases into [n, H, W, ci] and drops the padding rows in the same copy. Compared with the textbook zero-upsampled dy,
// this skips the multiplications by inserted zeros (16 instead of 36 taps per block for a 3×3 stride-2 conv).
import { Conv2DBackpropInput, type Conv2DBackpropInputAttrs, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs-core';
import { convGeometry, type ConvGeometry } from './conv-geometry.ts';
import { asWasm, conv2d, release, reshape, slice, transpose, type TensorInfo, type WasmBackend } from './wasm-ops.ts';

/**
 * G[jh, jw, co, (rh·sw + rw)·ci + c] = W[(Mh−1−jh)·sh + rh, (Mw−1−jw)·sw + rw, c, co], or 0 past the filter.
 * The [ci, co] → [co, ci] swap of every tap is one stock wasm Transpose; what is left is copying contiguous runs of ci
 * values into place (a strided JS loop over a 3×3×512×512 filter cost more than the conv it feeds).
 */
function phaseFilter(backend: WasmBackend, filter: TensorInfo, sh: number, sw: number): TensorInfo {
  const [kh, kw, ci, co] = filter.shape as [number, number, number, number];
  const mh = Math.ceil(kh / sh);
  const mw = Math.ceil(kw / sw);
  const depth = sh * sw * ci;
  const taps = reshape(backend, filter, [kh * kw, ci, co]);
  const swapped = ci === 1 || co === 1 ? taps : transpose(backend, taps, [0, 2, 1]); // [tap, co, ci]
  const out = backend.makeOutput([mh, mw, co, depth], 'float32');
  // Views are taken after makeOutput: allocating may grow the wasm heap and detach older views.
  const w = backend.typedArrayFromHeap(swapped) as Float32Array;
  const gv = backend.typedArrayFromHeap(out) as Float32Array;
  if (mh * sh !== kh || mw * sw !== kw) gv.fill(0); // some phases see fewer taps: their slots stay zero
  for (let jh = 0; jh < mh; jh++) {
    for (let rh = 0; rh < sh; rh++) {
      const fh = (mh - 1 - jh) * sh + rh;
      if (fh >= kh) continue;
      for (let jw = 0; jw < mw; jw++) {
        for (let rw = 0; rw < sw; rw++) {
          const fw = (mw - 1 - jw) * sw + rw;
          if (fw >= kw) continue;
          const src = (fh * kw + fw) * co * ci; // swapped[tap, :, :], row-major [co, ci]
          const dst = (jh * mw + jw) * co * depth + (rh * sw + rw) * ci; // G[jh, jw, :, phase block]
          if (depth === ci) {
            gv.set(w.subarray(src, src + co * ci), dst);
          } else {
            for (let o = 0; o < co; o++) gv.set(w.subarray(src + o * ci, src + (o + 1) * ci), dst + o * depth);
          }
        }
      }
    }
  }
  if (swapped !== taps) release(backend, swapped);
  release(backend, taps);
  return out;
}

/**
 * Interleaves the phases [n, Bh, Bw, sh·sw·ci] into dx [n, H, W, ci] and drops the padding rows/columns in the same
 * pass: dx[n, h, w, c] = y[n, ⌊h'/sh⌋, ⌊w'/sw⌋, ((h' mod sh)·sw + w' mod sw)·ci + c] with h' = h + remH, w' = w + remW.
 * A plain copy loop over the heap: tfjs-backend-wasm's DepthToSpace is a generic strided loop and was 10x slower.
 */
function interleavePhases(backend: WasmBackend, y: TensorInfo, g: ConvGeometry, remH: number, remW: number): TensorInfo {
  const { batch, inHeight: H, inWidth: W, inChannels: ci, strideHeight: sh, strideWidth: sw } = g;
  const [, bh, bw, depth] = y.shape as [number, number, number, number];
  const out = backend.makeOutput([batch, H, W, ci], 'float32');
  const src = backend.typedArrayFromHeap(y) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  let d = 0;
  for (let n = 0; n < batch; n++) {
    for (let h = 0; h < H; h++) {
      const hp = h + remH;
      const rowBase = (n * bh + Math.floor(hp / sh)) * bw * depth + (hp % sh) * sw * ci;
      for (let w = 0; w < W; w++) {
        const wp = w + remW;
        const base = rowBase + Math.floor(wp / sw) * depth + (wp % sw) * ci;
        for (let c = 0; c < ci; c++) dst[d++] = src[base + c]!;
      }
    }
  }
  return out;
}

function conv2dBackpropInput(args: { inputs: { dy: TensorInfo; filter: TensorInfo }; attrs: Conv2DBackpropInputAttrs; backend: unknown }): TensorInfo {
  const { inputs: { dy, filter }, attrs } = args;
  const backend = asWasm(args.backend);
  const g = convGeometry(Conv2DBackpropInput, attrs.inputShape, filter.shape, attrs);
  const sh = g.strideHeight;
  const sw = g.strideWidth;
  const mh = Math.ceil(g.filterHeight / sh);
  const mw = Math.ceil(g.filterWidth / sw);
  // Blocks b = q .. q + B − 1 cover padded rows [padTop, padTop + H).
  const qh = Math.floor(g.padTop / sh);
  const qw = Math.floor(g.padLeft / sw);
  const remH = g.padTop - qh * sh;
  const remW = g.padLeft - qw * sw;
  const bh = Math.ceil((remH + g.inHeight) / sh);
  const bw = Math.ceil((remW + g.inWidth) / sw);
  // Output block i reads dy rows i + q − (M − 1) + j, j < M: pad (or crop) dy accordingly.
  const top = mh - 1 - qh;
  const bottom = bh + qh - g.outHeight;
  const left = mw - 1 - qw;
  const right = bw + qw - g.outWidth;
  const cropTop = Math.max(0, -top);
  const cropLeft = Math.max(0, -left);
  const keepH = g.outHeight - cropTop - Math.max(0, -bottom);
  const keepW = g.outWidth - cropLeft - Math.max(0, -right);
  const needsCrop = cropTop > 0 || cropLeft > 0 || keepH < g.outHeight || keepW < g.outWidth;
  const dyUsed = needsCrop ? slice(backend, dy, [0, cropTop, cropLeft, 0], [g.batch, keepH, keepW, g.outChannels]) : dy;

  const gFilter = phaseFilter(backend, filter, sh, sw);
  const phases = conv2d(backend, dyUsed, gFilter, [1, 1], [1, 1], [
    [Math.max(0, top), Math.max(0, bottom)],
    [Math.max(0, left), Math.max(0, right)],
  ]); // [n, Bh, Bw, sh·sw·ci]
  release(backend, gFilter);
  if (needsCrop) release(backend, dyUsed);
  if (sh === 1 && sw === 1 && remH === 0 && remW === 0 && bh === g.inHeight && bw === g.inWidth) return phases;
  const dx = interleavePhases(backend, phases, g, remH, remW);
  release(backend, phases);
  return dx;
}

export const conv2dBackpropInputKernel: Omit<KernelConfig, 'backendName'> = {
  kernelName: Conv2DBackpropInput,
  kernelFunc: conv2dBackpropInput as unknown as KernelFunc,
};
