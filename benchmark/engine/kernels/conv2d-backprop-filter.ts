// Conv2DBackpropFilter for wasm (stock tfjs-backend-wasm has none), computed by XNNPACK's forward conv:
//   dW[kh, kw, ci, co] = Σ_{n, oh, ow} x[n, oh·s + kh − pad, ow·s + kw − pad, ci] · dy[n, oh, ow, co]
// is a conv whose "batch" is ci and whose "channels" are n: input x' = x transposed to [ci, H, W, n], filter
// dy' = dy transposed to [OH, OW, n, co], stride 1, dilation = the forward stride, the forward padding on top/left,
// and whatever bottom/right padding (or cropping) makes the output exactly [ci, KH, KW, co]. One transpose back to
// [KH, KW, ci, co] finishes it. The GEMM inside is the natural one for dW (M = ci·KH·KW, K = n·OH·OW, N = co).
// When ci·KH·KW is tiny (a first layer on 1- or 3-channel images) that M is too short for XNNPACK's tiles, so the
// product is taken the other way round: dWᵀ[co, KH·KW·ci] = dyᵀ[co, P] · im2col(x)[P, KH·KW·ci], P = n·OH·OW.
import {
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type KernelConfig,
  type KernelFunc,
} from '@tensorflow/tfjs-core';
import { convGeometry } from './conv-geometry.ts';
import {
  asWasm,
  batchMatMul,
  conv2d,
  release,
  reshape,
  slice,
  transpose,
  type TensorInfo,
  type WasmBackend,
} from './wasm-ops.ts';
import type { ConvGeometry } from './conv-geometry.ts';

/**
 * Below this many rows of dW (ci·KH·KW) the im2col + GEMM path is faster than the conv path. A setting, not a
 * constant, so that tests can run both paths on every shape. Measured 2026-12-04 with fresh operands per call (an
 * operand XNNPACK has already packed, cached by tensor id, makes a GEMM look faster than it is in a training step):
 * the GEMM taken as im2col(x)ᵀ·dy, which needs no transposes but packs dy, took 1.34× / 1.17× the conv path's time
 * at the reference encoder's conv2 / conv3 and 1.15× this file's dyᵀ·im2col(x) at conv1; so both stay as they are.
 */
export const filterGradSettings = { gemmBelowRows: 32 };

/** Valid output columns o (lo ≤ o < hi) whose input index o·s + k − pad lies in [0, size). */
function validRange(out: number, stride: number, k: number, pad: number, size: number): [number, number] {
  const lo = Math.max(0, Math.ceil((pad - k) / stride));
  const hi = Math.min(out, Math.floor((size - 1 + pad - k) / stride) + 1);
  return [lo, Math.max(lo, hi)];
}

/**
 * im2col(x) transposed, [KH·KW·ci, P] with P = n·OH·OW (zeros where the window hangs over the padding), written
 * straight into the wasm heap one contiguous row at a time.
 */
function im2colT(backend: WasmBackend, x: TensorInfo, g: ConvGeometry): TensorInfo {
  const {
    batch,
    inHeight: H,
    inWidth: W,
    inChannels: ci,
    outHeight: OH,
    outWidth: OW,
    filterHeight: kh,
    filterWidth: kw,
  } = g;
  const p = batch * OH * OW;
  const out = backend.makeOutput([kh * kw * ci, p], 'float32');
  const src = backend.typedArrayFromHeap(x) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  dst.fill(0);
  for (let i = 0; i < kh; i++) {
    const [ohLo, ohHi] = validRange(OH, g.strideHeight, i, g.padTop, H);
    for (let j = 0; j < kw; j++) {
      const [owLo, owHi] = validRange(OW, g.strideWidth, j, g.padLeft, W);
      for (let c = 0; c < ci; c++) {
        const rowStart = ((i * kw + j) * ci + c) * p;
        for (let n = 0; n < batch; n++) {
          for (let oh = ohLo; oh < ohHi; oh++) {
            const ih = oh * g.strideHeight - g.padTop + i;
            let d = rowStart + (n * OH + oh) * OW + owLo;
            let q = ((n * H + ih) * W + owLo * g.strideWidth - g.padLeft + j) * ci + c;
            const step = g.strideWidth * ci;
            for (let ow = owLo; ow < owHi; ow++, d++, q += step) dst[d] = src[q]!;
          }
        }
      }
    }
  }
  return out;
}

/**
 * dWᵀ[co, KH·KW·ci] = dyᵀ[co, P] · im2col(x)[P, KH·KW·ci] by the stock (XNNPACK) BatchMatMul. XNNPACK packs its second
 * operand on every call, so that is the small im2col(x), not dy (taking the product the other way round packed dy:
 * 25% slower). im2col is written transposed (contiguous rows) and turned by one stock Transpose.
 */
function backpropFilterByGemm(backend: WasmBackend, x: TensorInfo, dy: TensorInfo, g: ConvGeometry): TensorInfo {
  const p = g.batch * g.outHeight * g.outWidth;
  const row = g.filterHeight * g.filterWidth * g.inChannels;
  const colsT = im2colT(backend, x, g); // [row, P]
  const cols = transpose(backend, colsT, [1, 0]); // [P, row]
  const cols3 = reshape(backend, cols, [1, p, row]);
  const dy2 = reshape(backend, dy, [p, g.outChannels]);
  const dyT = transpose(backend, dy2, [1, 0]); // [co, P]
  const dyT3 = reshape(backend, dyT, [1, g.outChannels, p]);
  const dwT = batchMatMul(backend, dyT3, cols3); // [1, co, row]
  release(backend, colsT, cols, cols3, dy2, dyT, dyT3);
  const dwT2 = reshape(backend, dwT, [g.outChannels, row]);
  const dw2 = transpose(backend, dwT2, [1, 0]); // [row, co]
  const dw = reshape(backend, dw2, [g.filterHeight, g.filterWidth, g.inChannels, g.outChannels]);
  release(backend, dwT, dwT2, dw2);
  return dw;
}

function conv2dBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  attrs: Conv2DBackpropFilterAttrs;
  backend: unknown;
}): TensorInfo {
  const {
    inputs: { x, dy },
    attrs,
  } = args;
  const backend = asWasm(args.backend);
  const g = convGeometry(Conv2DBackpropFilter, x.shape, attrs.filterShape, attrs);
  const rows = g.filterHeight * g.filterWidth * g.inChannels;
  if (rows < filterGradSettings.gemmBelowRows) return backpropFilterByGemm(backend, x, dy, g);
  // Rows of (padded) x that the conv must see: top pad + x rows; the last window starts at (OH-1)·s and spans KH.
  const needH = g.filterHeight - 1 + (g.outHeight - 1) * g.strideHeight + 1;
  const needW = g.filterWidth - 1 + (g.outWidth - 1) * g.strideWidth + 1;
  let padBottom = needH - g.padTop - g.inHeight;
  let padRight = needW - g.padLeft - g.inWidth;
  // 'valid' with a stride that does not divide evenly leaves trailing rows unused: crop them instead of padding < 0.
  const useH = g.inHeight + Math.min(0, padBottom);
  const useW = g.inWidth + Math.min(0, padRight);
  padBottom = Math.max(0, padBottom);
  padRight = Math.max(0, padRight);

  const cropped =
    useH < g.inHeight || useW < g.inWidth
      ? slice(backend, x, [0, 0, 0, 0], [g.batch, useH, useW, g.inChannels])
      : undefined;
  const xT = transpose(backend, cropped ?? x, [3, 1, 2, 0]); // [ci, H, W, n]
  release(backend, cropped);
  const dyT = transpose(backend, dy, [1, 2, 0, 3]); // [OH, OW, n, co]
  const dwT = conv2d(
    backend,
    xT,
    dyT,
    [1, 1],
    [g.strideHeight, g.strideWidth],
    [
      [g.padTop, padBottom],
      [g.padLeft, padRight],
    ],
  ); // [ci, KH, KW, co]
  release(backend, xT, dyT);
  const dw = transpose(backend, dwT, [1, 2, 0, 3]); // [KH, KW, ci, co]
  release(backend, dwT);
  return dw;
}

export const conv2dBackpropFilterKernel: Omit<KernelConfig, 'backendName'> = {
  kernelName: Conv2DBackpropFilter,
  kernelFunc: conv2dBackpropFilter as unknown as KernelFunc,
};
