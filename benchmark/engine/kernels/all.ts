// The list of training kernels the engine registers on the wasm backend (backendName is filled in by the registry).
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { batchMatMulKernel } from './batch-mat-mul.ts';
import { conv2dBackpropFilterKernel } from './conv2d-backprop-filter.ts';
import { conv2dBackpropInputKernel } from './conv2d-backprop-input.ts';
import { batchNormGradParamsKernel } from './batch-norm-grad.ts';
import { castKernel, identityKernel } from './identity.ts';
import { depthwiseBackpropFilterKernel, depthwiseBackpropInputKernel } from './depthwise-conv2d-backprop.ts';
import { meanKernel, sumKernel } from './leading-axes-reduce.ts';
import { tileKernel } from './tile.ts';

export const TRAINING_KERNELS: Omit<KernelConfig, 'backendName'>[] = [
  conv2dBackpropFilterKernel,
  conv2dBackpropInputKernel,
  batchMatMulKernel,
  tileKernel,
  sumKernel,
  meanKernel,
  depthwiseBackpropFilterKernel,
  depthwiseBackpropInputKernel,
  identityKernel,
  castKernel,
  batchNormGradParamsKernel,
];
