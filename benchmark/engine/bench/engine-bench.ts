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
import { profileKernels, type KernelTime } from './profile-kernels.ts';
import { registeredTrainingGradients } from '../gradients/registry.ts';

export interface EngineBenchOptions {
  batch: number;
  /** tinybench time budget per fast case, ms. */
  timeMs: number;
  /** Batch for the cpu backend (its time is scaled linearly to `batch`). */
  cpuBatch: number;
  skip: Set<'stock' | 'cpu' | 'torch' | 'encoders' | 'tensorflow'>;
  /** Also profile one step of ours kernel by kernel (best of `profile` steps). */
  profile?: number;
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
  /** Gradients our wasm registry wraps (see benchmark/engine/gradients). */
  gradients: string[];
  cases: BenchCase[];
  /** One step of ours, kernel by kernel (tf.profile), when asked for. */
  profile?: { steps: number; wallMs: number; kernels: KernelTime[] };
  /** Ours and stock timed back to back, per round (stockOverOurs is the median of their ratios). */
  rounds?: { oursMs: number; stockMs: number }[];
  /** Ours and PyTorch timed back to back, per round (oursOverTorch is the median of their ratios). */
  torchRounds?: { oursMs: number; torchMs: number }[];
  ratios: { stockOverOurs?: number; oursOverTorch?: number; cpuOverOurs?: number };
}

type Step = () => void;

async function timeSteps(
  name: string,
  step: Step,
  timeMs: number,
  iterations: number,
  warmup: number,
): Promise<{ median: number; samples: number }> {
  const bench = new Bench({ name, time: timeMs, iterations, warmupIterations: warmup, warmupTime: 0, throws: true });
  bench.add(name, step);
  await bench.run();
  const result = bench.tasks[0]!.result;
  if (result.state !== 'completed') throw new Error(`${name}: tinybench state ${result.state}`);
  return { median: result.latency.p50, samples: result.latency.samplesCount };
}

/** A ready-to-time training step: the model, an Adam optimizer and a fixed batch; dispose() frees them. */
function referenceStep(
  batch: number,
  model: tfl.LayersModel = createReferenceModel(),
  loss: 'projection' | 'output' = 'projection',
) {
  const optimizer = tf.train.adam(1e-3);
  const { x, target: projectionTarget } = referenceBatch(
    batch,
    model.inputs[0]!.shape.slice(1) as [number, number, number],
  );
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
      const value = optimizer.minimize(
        () => tf.losses.meanSquaredError(target, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
        true,
        vars,
      );
      value?.dataSync();
      value?.dispose();
    };
  }
  return {
    step,
    dispose: () => {
      tf.dispose([x, target]);
      optimizer.dispose();
      model.dispose();
    },
  };
}

async function runCase(
  c: Omit<BenchCase, 'state'>,
  make: () => { step: Step; dispose: () => void },
  timeMs: number,
  iterations: number,
  warmup: number,
  scaleTo?: number,
): Promise<BenchCase> {
  let made: { step: Step; dispose: () => void } | undefined;
  try {
    made = make();
    const { median, samples } = await timeSteps(c.name, made.step, timeMs, iterations, warmup);
    const scaled = scaleTo !== undefined && scaleTo !== c.batch ? (median * scaleTo) / c.batch : undefined;
    return {
      ...c,
      state: 'completed',
      msPerStep: median,
      samples,
      ...(scaled !== undefined ? { msPerStepScaled: scaled } : {}),
    };
  } catch (error) {
    return { ...c, state: 'failed', note: error instanceof Error ? error.message.split('\n')[0] : String(error) };
  } finally {
    made?.dispose();
  }
}

/** Rounds of ours vs stock (a stock step takes ~2 s: five rounds add ~20 s). */
const STOCK_ROUNDS = 5;

interface PairedRounds {
  rounds: { oursMs: number; stockMs: number }[];
  oursSamples: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Each round: our step timed by tinybench (its share of the time budget, after warm-up), then one step of a second,
 * identical model on stock wasm (the stock kernels and the stand-in registered just for it; one untimed stock step
 * first, in round 1).
 */
async function pairedRounds(batch: number, timeMs: number, rounds: number): Promise<PairedRounds> {
  const ours = referenceStep(batch);
  const stock = referenceStep(batch);
  const result: PairedRounds = { rounds: [], oursSamples: 0 };
  try {
    for (let round = 0; round < rounds; round++) {
      const timed = await timeSteps('wasm + stealbench kernels', ours.step, timeMs / rounds, 5, round === 0 ? 3 : 1);
      result.oursSamples += timed.samples;
      useStockWasm();
      try {
        if (round === 0) stock.step();
        const started = performance.now();
        stock.step();
        result.rounds.push({ oursMs: timed.median, stockMs: performance.now() - started });
      } finally {
        useOurKernels();
      }
    }
    return result;
  } finally {
    ours.dispose();
    stock.dispose();
  }
}

/** Rounds of ours vs PyTorch; each PyTorch round is a fresh process (import, warm-up, then TORCH_STEPS timed steps). */
const TORCH_ROUNDS = 5;
const TORCH_STEPS = 10;

type TorchRounds =
  | { ok: true; torch: string; threads: number; rounds: { oursMs: number; torchMs: number }[] }
  | { ok: false; error: string };

/**
 * Each round: our step timed by tinybench, then PyTorch's (bench/torch_reference.py, median of TORCH_STEPS). The
 * machine's speed drifts within a minute, so the ratio is taken per round, as for stock.
 */
async function torchRounds(batch: number, timeMs: number, rounds: number): Promise<TorchRounds> {
  const ours = referenceStep(batch);
  try {
    const result: { oursMs: number; torchMs: number }[] = [];
    let version = '?';
    let threads = 1;
    for (let round = 0; round < rounds; round++) {
      const timed = await timeSteps('wasm + stealbench kernels', ours.step, timeMs / rounds, 5, round === 0 ? 3 : 1);
      const torch = await runTorchReference(batch, TORCH_STEPS);
      if (!torch.ok) return torch;
      version = torch.torch;
      threads = torch.threads;
      result.push({ oursMs: timed.median, torchMs: torch.msPerStep });
    }
    return { ok: true, torch: version, threads, rounds: result };
  } finally {
    ours.dispose();
  }
}

/** Of `steps` profiled steps (after 3 warm-up steps), the one with the least kernel time. */
async function profileOurs(
  batch: number,
  steps: number,
): Promise<{ steps: number; wallMs: number; kernels: KernelTime[] }> {
  const made = referenceStep(batch);
  try {
    for (let i = 0; i < 3; i++) made.step();
    let best: { wallMs: number; kernels: KernelTime[]; total: number } | undefined;
    for (let i = 0; i < steps; i++) {
      const started = performance.now();
      const kernels = await profileKernels(made.step);
      const wallMs = performance.now() - started;
      const total = kernels.reduce((sum, k) => sum + k.ms, 0);
      if (!best || total < best.total) best = { wallMs, kernels, total };
    }
    return { steps, wallMs: best!.wallMs, kernels: best!.kernels };
  } finally {
    made.dispose();
  }
}

const ENCODERS_FILE = fileURLToPath(new URL('../../nn/encoders.ts', import.meta.url));

export async function runEngineBench(options: EngineBenchOptions): Promise<EngineBenchReport> {
  const log = options.log ?? (() => {});
  const { batch, timeMs } = options;
  const cases: BenchCase[] = [];
  const push = (c: BenchCase) => {
    cases.push(c);
    log(
      `${c.name}: ${c.state}${c.msPerStep !== undefined ? ` ${c.msPerStep.toFixed(1)} ms/step` : ''}${c.note ? ` (${c.note})` : ''}`,
    );
  };
  const reference = 'reference 3-conv 32-64-128 + head, MSE, Adam';

  const engine = await initEngine({ backend: 'wasm' });
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const stockName = 'wasm stock (+ conv3d stand-in for the missing Conv2DBackpropFilter)';
  const stockNote =
    'stock tfjs-backend-wasm cannot train a conv net (no ' +
    'Conv2DBackpropFilter); this is the fastest stand-in stock wasm offers';
  let paired: PairedRounds | undefined;
  if (options.skip.has('stock')) {
    push(
      await runCase(
        { name: 'wasm + stealbench kernels', backend: 'wasm', model: reference, batch },
        () => referenceStep(batch),
        timeMs,
        10,
        3,
      ),
    );
  } else {
    paired = await pairedRounds(batch, timeMs, STOCK_ROUNDS);
    push({
      name: 'wasm + stealbench kernels',
      backend: 'wasm',
      model: reference,
      batch,
      state: 'completed',
      msPerStep: median(paired.rounds.map((r) => r.oursMs)),
      samples: paired.oursSamples,
      note: `median of ${STOCK_ROUNDS} rounds, each timed just before a stock step`,
    });
  }
  const profile = options.profile ? await profileOurs(batch, options.profile) : undefined;

  if (options.skip.has('stock'))
    push({ name: 'wasm stock', backend: 'wasm', model: reference, batch, state: 'skipped' });
  else
    push({
      name: stockName,
      backend: 'wasm',
      model: reference,
      batch,
      state: 'completed',
      msPerStep: median(paired!.rounds.map((r) => r.stockMs)),
      samples: STOCK_ROUNDS,
      note: stockNote,
    });

  if (options.skip.has('cpu')) push({ name: 'cpu', backend: 'cpu', model: reference, batch, state: 'skipped' });
  else {
    await initEngine({ backend: 'cpu' });
    push({
      ...(await runCase(
        {
          name: `cpu (batch ${options.cpuBatch}, scaled ×${batch / options.cpuBatch})`,
          backend: 'cpu',
          model: reference,
          batch: options.cpuBatch,
        },
        () => referenceStep(options.cpuBatch),
        0,
        2,
        1,
        batch,
      )),
      note: `pure-JS backend, measured at batch ${options.cpuBatch} and scaled linearly to ${batch}`,
    });
    await initEngine({ backend: 'wasm' });
  }

  if (!options.skip.has('tensorflow') && anyNativeInstalled()) {
    try {
      const info = await initEngine({ backend: 'tensorflow' });
      push(
        await runCase(
          {
            name: `tensorflow (${info.native?.package}${info.native?.gpu ? ', GPU' : ''})`,
            backend: 'tensorflow',
            model: reference,
            batch,
          },
          () => referenceStep(batch),
          timeMs,
          10,
          3,
        ),
      );
    } catch (error) {
      push({
        name: 'tensorflow',
        backend: 'tensorflow',
        model: reference,
        batch,
        state: 'failed',
        note: error instanceof Error ? error.message : String(error),
      });
    }
    await initEngine({ backend: 'wasm' });
  }

  let torchPaired: Extract<TorchRounds, { ok: true }> | undefined;
  if (options.skip.has('torch'))
    push({ name: 'PyTorch (1 thread)', backend: 'torch', model: reference, batch, state: 'skipped' });
  else {
    const torch = await torchRounds(batch, timeMs, TORCH_ROUNDS);
    if (torch.ok) {
      torchPaired = torch;
      push({
        name: `PyTorch ${torch.torch} (${torch.threads} thread)`,
        backend: 'torch',
        model: reference,
        batch,
        state: 'completed',
        msPerStep: median(torch.rounds.map((r) => r.torchMs)),
        samples: TORCH_ROUNDS * TORCH_STEPS,
        note: `median of ${TORCH_ROUNDS} rounds, each timed just after a step of ours`,
      });
    } else {
      push({
        name: 'PyTorch (1 thread)',
        backend: 'torch',
        model: reference,
        batch,
        state: 'skipped',
        note: torch.error,
      });
    }
  }

  if (!options.skip.has('encoders')) {
    if (!existsSync(ENCODERS_FILE)) log('benchmark/nn/encoders.ts not found: default encoders not timed');
    else {
      const nn = (await import(ENCODERS_FILE)) as {
        createEncoder(spec: { arch: string; inputShape: [number, number, number] }, seed: number): tfl.LayersModel;
      };
      const encoderCases: [string, [number, number, number], number, number][] = [
        ['small-cnn', [28, 28, 1], batch, 10],
        ['resnet18', [32, 32, 3], 16, 2],
      ];
      for (const [arch, shape, encBatch, iterations] of encoderCases) {
        push(
          await runCase(
            {
              name: `wasm + kernels: ${arch}`,
              backend: 'wasm',
              model: `benchmark/nn ${arch} ${shape.join('×')}, MSE on representation, Adam`,
              batch: encBatch,
            },
            () => referenceStep(encBatch, nn.createEncoder({ arch, inputShape: shape }, 1), 'output'),
            iterations > 2 ? timeMs : 0,
            iterations,
            1,
          ),
        );
      }
    }
  }

  const ours = cases[0]?.msPerStep;
  const msOf = (backend: string) => {
    const c = cases.find((k) => k.backend === backend && k.state === 'completed' && k.model === reference);
    return c ? (c.msPerStepScaled ?? c.msPerStep) : undefined;
  };
  const stock = cases.find((k) => k.name.startsWith('wasm stock') && k.state === 'completed')?.msPerStep;
  // The ratio of each round (ours and stock timed back to back) and their median: a slow spell of a shared machine
  // then slows both sides of one ratio instead of only one case.
  const stockOverOurs = paired ? median(paired.rounds.map((r) => r.stockMs / r.oursMs)) : undefined;
  // ours / PyTorch likewise: the median of the rounds' ratios (each round times ours just before PyTorch).
  const oursOverTorch = torchPaired ? median(torchPaired.rounds.map((r) => r.oursMs / r.torchMs)) : undefined;
  const cpu = msOf('cpu');
  return {
    createdAt: new Date().toISOString(),
    node: process.version,
    batch,
    simd,
    kernels: engine.kernels,
    gradients: registeredTrainingGradients(),
    cases,
    ...(profile ? { profile } : {}),
    ...(paired ? { rounds: paired.rounds } : {}),
    ...(torchPaired ? { torchRounds: torchPaired.rounds } : {}),
    ratios: {
      ...(stockOverOurs !== undefined ? { stockOverOurs } : ours && stock ? { stockOverOurs: stock / ours } : {}),
      ...(oursOverTorch !== undefined ? { oursOverTorch } : {}),
      ...(ours && cpu ? { cpuOverOurs: cpu / ours } : {}),
    },
  };
}
