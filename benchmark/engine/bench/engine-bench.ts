// The engine benchmark: training-step time (forward + backward + Adam update) of the reference encoder on each
// available backend — wasm with our kernels, stock wasm (+ the conv3d stand-in it needs to train at all), the cpu
// backend (reduced batch, scaled, labelled) and, when installed, native TensorFlow — plus the PyTorch reference and
// the project's default encoders when benchmark/nn provides them. Timing with tinybench; results as plain data.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { initEngine } from '../index.ts';
import { anyNativeInstalled } from '../backend-choice.ts';
import { createReferenceModel, referenceBatch, trainStep } from './reference-model.ts';
import { useOurKernels, useStockWasm } from './stock-stand-in.ts';
import { runTorchReference } from './torch-reference.ts';

export interface EngineBenchOptions {
  batch: number;
  /** tinybench time budget per fast case, ms. */
  timeMs: number;
  /** Batch for the cpu backend (its time is scaled linearly to `batch`). */
  cpuBatch: number;
  skip: Set<'stock' | 'cpu' | 'torch' | 'encoders' | 'tensorflow'>;
  log?: (line: string) => void;
}

export interface BenchCase {
  name: string;
  backend: string;
  model: string;
  /** Batch actually run. */
  batch: number;
  state: 'completed' | 'failed' | 'skipped';
  /** Median ms per step at the run batch. */
  msPerStep?: number;
  /** msPerStep scaled linearly to the benchmark batch (only when batch differs). */
  msPerStepScaled?: number;
  samples?: number;
  note?: string;
}

export interface EngineBenchReport {
  createdAt: string;
  node: string;
  batch: number;
  simd: boolean;
  kernels: string[];
  cases: BenchCase[];
  ratios: { stockOverOurs?: number; oursOverTorch?: number; cpuOverOurs?: number };
}

type Step = () => void;

async function timeSteps(name: string, step: Step, timeMs: number, iterations: number, warmup: number): Promise<{ median: number; samples: number }> {
  const bench = new Bench({ name, time: timeMs, iterations, warmupIterations: warmup, warmupTime: 0, throws: true });
  bench.add(name, step);
  await bench.run();
  const result = bench.tasks[0]!.result;
  if (result.state !== 'completed') throw new Error(`${name}: tinybench state ${result.state}`);
  return { median: result.latency.p50, samples: result.latency.samplesCount };
}

/** A ready-to-time training step: the model, an Adam optimizer and a fixed batch; dispose() frees them. */
function referenceStep(batch: number, model: tfl.LayersModel = createReferenceModel(), loss: 'projection' | 'output' = 'projection') {
  const optimizer = tf.train.adam(1e-3);
  const { x, target: projectionTarget } = referenceBatch(batch, model.inputs[0]!.shape.slice(1) as [number, number, number]);
  let step: Step;
  let target = projectionTarget;
  if (loss === 'projection') {
    step = () => void trainStep(model, optimizer, x, target);
  } else {
    // Any single-output encoder: MSE of its representation to a fixed random target.
    const dim = (model.outputs[0]!.shape as number[]).at(-1)!;
    target = tf.tidy(() => tf.randomNormal([batch, dim], 0, 1, 'float32', 3));
    projectionTarget.dispose();
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    step = () => {
      const value = optimizer.minimize(() => tf.losses.meanSquaredError(target, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true, vars);
      value?.dataSync();
      value?.dispose();
    };
  }
  return { step, dispose: () => { tf.dispose([x, target]); optimizer.dispose(); model.dispose(); } };
}

async function runCase(c: Omit<BenchCase, 'state'>, make: () => { step: Step; dispose: () => void }, timeMs: number, iterations: number, warmup: number, scaleTo?: number): Promise<BenchCase> {
  let made: { step: Step; dispose: () => void } | undefined;
  try {
    made = make();
    const { median, samples } = await timeSteps(c.name, made.step, timeMs, iterations, warmup);
    const scaled = scaleTo !== undefined && scaleTo !== c.batch ? (median * scaleTo) / c.batch : undefined;
    return { ...c, state: 'completed', msPerStep: median, samples, ...(scaled !== undefined ? { msPerStepScaled: scaled } : {}) };
  } catch (error) {
    return { ...c, state: 'failed', note: error instanceof Error ? error.message.split('\n')[0] : String(error) };
  } finally {
    made?.dispose();
  }
}

const ENCODERS_FILE = fileURLToPath(new URL('../../nn/encoders.ts', import.meta.url));

export async function runEngineBench(options: EngineBenchOptions): Promise<EngineBenchReport> {
  const log = options.log ?? (() => {});
  const { batch, timeMs } = options;
  const cases: BenchCase[] = [];
  const push = (c: BenchCase) => {
    cases.push(c);
    log(`${c.name}: ${c.state}${c.msPerStep !== undefined ? ` ${c.msPerStep.toFixed(1)} ms/step` : ''}${c.note ? ` (${c.note})` : ''}`);
  };
  const reference = 'reference 3-conv 32-64-128 + head, MSE, Adam';

  const engine = await initEngine({ backend: 'wasm' });
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  push(await runCase({ name: 'wasm + stealbench kernels', backend: 'wasm', model: reference, batch }, () => referenceStep(batch), timeMs, 10, 3));

  if (options.skip.has('stock')) push({ name: 'wasm stock', backend: 'wasm', model: reference, batch, state: 'skipped' });
  else {
    useStockWasm();
    push({
      ...(await runCase({ name: 'wasm stock (+ conv3d stand-in for the missing Conv2DBackpropFilter)', backend: 'wasm', model: reference, batch }, () => referenceStep(batch), 0, 3, 1)),
      note: 'stock tfjs-backend-wasm cannot train a conv net (no Conv2DBackpropFilter); this is the fastest stand-in stock wasm offers',
    });
    useOurKernels();
  }

  if (options.skip.has('cpu')) push({ name: 'cpu', backend: 'cpu', model: reference, batch, state: 'skipped' });
  else {
    await initEngine({ backend: 'cpu' });
    push({
      ...(await runCase({ name: `cpu (batch ${options.cpuBatch}, scaled ×${batch / options.cpuBatch})`, backend: 'cpu', model: reference, batch: options.cpuBatch }, () => referenceStep(options.cpuBatch), 0, 2, 1, batch)),
      note: `pure-JS backend, measured at batch ${options.cpuBatch} and scaled linearly to ${batch}`,
    });
    await initEngine({ backend: 'wasm' });
  }

  if (!options.skip.has('tensorflow') && anyNativeInstalled()) {
    try {
      const info = await initEngine({ backend: 'tensorflow' });
      push(await runCase({ name: `tensorflow (${info.native?.package}${info.native?.gpu ? ', GPU' : ''})`, backend: 'tensorflow', model: reference, batch }, () => referenceStep(batch), timeMs, 10, 3));
    } catch (error) {
      push({ name: 'tensorflow', backend: 'tensorflow', model: reference, batch, state: 'failed', note: error instanceof Error ? error.message : String(error) });
    }
    await initEngine({ backend: 'wasm' });
  }

  if (options.skip.has('torch')) push({ name: 'PyTorch (1 thread)', backend: 'torch', model: reference, batch, state: 'skipped' });
  else {
    const torch = await runTorchReference(batch, 20);
    push(torch.ok
      ? { name: `PyTorch ${torch.torch} (${torch.threads} thread)`, backend: 'torch', model: reference, batch, state: 'completed', msPerStep: torch.msPerStep, samples: 20 }
      : { name: 'PyTorch (1 thread)', backend: 'torch', model: reference, batch, state: 'skipped', note: torch.error });
  }

  if (!options.skip.has('encoders')) {
    if (!existsSync(ENCODERS_FILE)) log('benchmark/nn/encoders.ts not found: default encoders not timed');
    else {
      const nn = (await import(ENCODERS_FILE)) as { createEncoder(spec: { arch: string; inputShape: [number, number, number] }, seed: number): tfl.LayersModel };
      const encoderCases: [string, [number, number, number], number, number][] = [
        ['small-cnn', [28, 28, 1], batch, 10],
        ['resnet18', [32, 32, 3], 16, 2],
      ];
      for (const [arch, shape, encBatch, iterations] of encoderCases) {
        push(await runCase({ name: `wasm + kernels: ${arch}`, backend: 'wasm', model: `benchmark/nn ${arch} ${shape.join('×')}, MSE on representation, Adam`, batch: encBatch },
          () => referenceStep(encBatch, nn.createEncoder({ arch, inputShape: shape }, 1), 'output'), iterations > 2 ? timeMs : 0, iterations, 1));
      }
    }
  }

  const ours = cases[0]?.msPerStep;
  const msOf = (backend: string) => {
    const c = cases.find((k) => k.backend === backend && k.state === 'completed' && k.model === reference);
    return c ? (c.msPerStepScaled ?? c.msPerStep) : undefined;
  };
  const stock = cases.find((k) => k.name.startsWith('wasm stock') && k.state === 'completed')?.msPerStep;
  const torch = msOf('torch');
  const cpu = msOf('cpu');
  return {
    createdAt: new Date().toISOString(),
    node: process.version,
    batch,
    simd,
    kernels: engine.kernels,
    cases,
    ratios: {
      ...(ours && stock ? { stockOverOurs: stock / ours } : {}),
      ...(ours && torch ? { oursOverTorch: ours / torch } : {}),
      ...(ours && cpu ? { cpuOverOurs: cpu / ours } : {}),
    },
  };
}
