// Shared arithmetic of the conv gradient kernels: the forward conv's padding and output size, as tfjs computes them.
import { backend_util } from '@tensorflow/tfjs-core';

export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
}

export interface ConvGradAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** The forward conv x[inputShape] * filter[filterShape] that the gradient belongs to. */
export function convGeometry(
  kernel: string,
  inputShape: number[],
  filterShape: number[],
  attrs: ConvGradAttrs,
): ConvGeometry {
  if (attrs.dataFormat !== 'NHWC') {
    throw new Error(`${kernel} (stealbench wasm kernel): dataFormat must be 'NHWC', found '${attrs.dataFormat}'`);
  }
  const info = backend_util.computeConv2DInfo(
    inputShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}
