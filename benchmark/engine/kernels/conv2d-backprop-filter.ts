// Conv2DBackpropFilter for wasm (stock tfjs-backend-wasm has none), computed by XNNPACK's forward conv:
//   dW[kh, kw, ci, co] = Σ_{n, oh, ow} x[n, oh·s + kh − pad, ow·s + kw − pad, ci] · dy[n, oh, ow, co]
// is a conv whose "batch" is ci and whose "channels" are n: input x' = x transposed to [ci, H, W, n], filter
// dy' = dy transposed to [OH, OW, n, co], stride 1, dilation = the forward stride, the forward padding on top/left,
// and whatever bottom/right padding (or cropping) makes the output exactly [ci, KH, KW, co]. One transpose back to
// [KH, KW, ci, co] finishes it. The GEMM inside is the natural one for dW (M = ci·KH·KW, K = n·OH·OW, N = co).
import { Conv2DBackpropFilter, type Conv2DBackpropFilterAttrs, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs-core';
import { convGeometry } from './conv-geometry.ts';
import { asWasm, conv2d, release, slice, transpose, type TensorInfo } from './wasm-ops.ts';

function conv2dBackpropFilter(args: { inputs: { x: TensorInfo; dy: TensorInfo }; attrs: Conv2DBackpropFilterAttrs; backend: unknown }): TensorInfo {
  const { inputs: { x, dy }, attrs } = args;
  const backend = asWasm(args.backend);
  const g = convGeometry(Conv2DBackpropFilter, x.shape, attrs.filterShape, attrs);
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

  const cropped = useH < g.inHeight || useW < g.inWidth ? slice(backend, x, [0, 0, 0, 0], [g.batch, useH, useW, g.inChannels]) : undefined;
  const xT = transpose(backend, cropped ?? x, [3, 1, 2, 0]); // [ci, H, W, n]
  release(backend, cropped);
  const dyT = transpose(backend, dy, [1, 2, 0, 3]); // [OH, OW, n, co]
  const dwT = conv2d(backend, xT, dyT, [1, 1], [g.strideHeight, g.strideWidth], [
    [g.padTop, padBottom],
    [g.padLeft, padRight],
  ]); // [ci, KH, KW, co]
  release(backend, xT, dyT);
  const dw = transpose(backend, dwT, [1, 2, 0, 3]); // [KH, KW, ci, co]
  release(backend, dwT);
  return dw;
}

export const conv2dBackpropFilterKernel: Omit<KernelConfig, 'backendName'> = {
  kernelName: Conv2DBackpropFilter,
  kernelFunc: conv2dBackpropFilter as unknown as KernelFunc,
};
