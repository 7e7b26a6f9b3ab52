// DepthwiseConv2dNativeBackpropFilter / ...BackpropInput for wasm (stock tfjs-backend-wasm has neither). A depthwise
// conv does K² multiply-adds per output value, so its gradients are cheap next to the dense convs: direct loops over
// the wasm heap (float64 accumulators) are fast enough and handle every stride, dilation, padding and channel
// multiplier without the layout gymnastics of the dense kernels.
import {
  backend_util,
  DepthwiseConv2dNativeBackpropFilter,
  DepthwiseConv2dNativeBackpropInput,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
} from '@tensorflow/tfjs-core';
import { asWasm, type TensorInfo } from './wasm-ops.ts';

type DepthwiseAttrs = DepthwiseConv2dNativeBackpropFilterAttrs | DepthwiseConv2dNativeBackpropInputAttrs;

function depthwiseInfo(inputShape: number[], filterShape: number[], attrs: DepthwiseAttrs): backend_util.Conv2DInfo {
  return backend_util.computeConv2DInfo(
    inputShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
}

/**
 * Calls visit(xIndex, dyIndex, filterIndex) for every (input, output, filter) triple of the depthwise conv; visit
 * does the multiply-add for one channel block. Shared by both gradients so that the index arithmetic exists once.
 */
function forEachTap(
  info: backend_util.Conv2DInfo,
  visit: (xBase: number, dyBase: number, fBase: number) => void,
): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const dyBase = ((n * outHeight + oh) * outWidth + ow) * outChannels;
        for (let kh = 0; kh < filterHeight; kh++) {
          const ih = oh * strideHeight - padTop + kh * dilationHeight;
          if (ih < 0 || ih >= inHeight) continue;
          for (let kw = 0; kw < filterWidth; kw++) {
            const iw = ow * strideWidth - padLeft + kw * dilationWidth;
            if (iw < 0 || iw >= inWidth) continue;
            visit(((n * inHeight + ih) * inWidth + iw) * inChannels, dyBase, (kh * filterWidth + kw) * outChannels);
          }
        }
      }
    }
  }
}

function backpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs;
  backend: unknown;
}): TensorInfo {
  const {
    inputs: { x, dy },
    attrs,
  } = args;
  const backend = asWasm(args.backend);
  const info = depthwiseInfo(x.shape, attrs.filterShape, attrs);
  const channels = info.inChannels;
  const multiplier = info.outChannels / channels;
  const acc = new Float64Array(info.filterHeight * info.filterWidth * info.outChannels); // [kh, kw, c, q] = [kh, kw, c·m + q]
  const out = backend.makeOutput(attrs.filterShape, 'float32');
  const xs = backend.typedArrayFromHeap(x) as Float32Array;
  const dys = backend.typedArrayFromHeap(dy) as Float32Array;
  forEachTap(info, (xBase, dyBase, fBase) => {
    for (let c = 0, o = 0; c < channels; c++) {
      const xv = xs[xBase + c]!;
      for (let q = 0; q < multiplier; q++, o++) acc[fBase + o]! += xv * dys[dyBase + o]!;
    }
  });
  (backend.typedArrayFromHeap(out) as Float32Array).set(acc);
  return out;
}

function backpropInput(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  attrs: DepthwiseConv2dNativeBackpropInputAttrs;
  backend: unknown;
}): TensorInfo {
  const {
    inputs: { dy, filter },
    attrs,
  } = args;
  const backend = asWasm(args.backend);
  const info = depthwiseInfo(attrs.inputShape, filter.shape, attrs);
  const channels = info.inChannels;
  const multiplier = info.outChannels / channels;
  const acc = new Float64Array(info.batchSize * info.inHeight * info.inWidth * channels);
  const out = backend.makeOutput(attrs.inputShape, 'float32');
  const dys = backend.typedArrayFromHeap(dy) as Float32Array;
  const fs = backend.typedArrayFromHeap(filter) as Float32Array;
  forEachTap(info, (xBase, dyBase, fBase) => {
    for (let c = 0, o = 0; c < channels; c++) {
      let sum = 0;
      for (let q = 0; q < multiplier; q++, o++) sum += dys[dyBase + o]! * fs[fBase + o]!;
      acc[xBase + c]! += sum;
    }
  });
  (backend.typedArrayFromHeap(out) as Float32Array).set(acc);
  return out;
}

export const depthwiseBackpropFilterKernel: Omit<KernelConfig, 'backendName'> = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  kernelFunc: backpropFilter as unknown as KernelFunc,
};

export const depthwiseBackpropInputKernel: Omit<KernelConfig, 'backendName'> = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  kernelFunc: backpropInput as unknown as KernelFunc,
};
