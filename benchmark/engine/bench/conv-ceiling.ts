// The per-conv ceiling: how fast can the reference encoder's convs go on wasm at all? Each conv of the model
// (forward, input gradient, filter gradient) and two plain GEMMs of the same size, timed through our wasm kernels
// (XNNPACK inside) and through PyTorch on one thread (conv_ceiling.py, one process kept open), in paired rounds:
// every round times each case on ours and at once on PyTorch; the ratio per case is the median of the rounds'
// ratios (the machine's speed drifts within seconds, so each ratio is taken over a fraction of a second). The GEMMs
// (ours only: Debian's torch.mm runs the generic reference BLAS, and a 1×1 conv of that shape leaves oneDNN) show
// XNNPACK's raw GEMM speed in wasm SIMD (128-bit, no FMA), with no conv around it.
//   node --import tsx benchmark/engine/bench/conv-ceiling.ts [rounds=5] [ms=300]
import * as tf from '@tensorflow/tfjs-core';
import { execa } from 'execa';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { initEngine } from '../index.ts';

type Shape4 = [number, number, number, number];

export interface CeilingCase {
  name: string;
  op: 'forward' | 'input' | 'filter' | 'gemm';
  /** Conv cases: x [n, h, w, ci], filter [kh, kw, ci, co], stride; 'same' padding. */
  x?: Shape4;
  w?: Shape4;
  stride?: number;
  /** GEMM cases: [m, k] · [k, n]. */
  mkn?: [number, number, number];
  /** Multiply-adds of the case. */
  macs: number;
}

const LAYERS: { name: string; x: Shape4; w: Shape4; stride: number }[] = [
  { name: 'conv1', x: [128, 28, 28, 1], w: [3, 3, 1, 32], stride: 2 },
  { name: 'conv2', x: [128, 14, 14, 32], w: [3, 3, 32, 64], stride: 2 },
  { name: 'conv3', x: [128, 7, 7, 64], w: [3, 3, 64, 128], stride: 1 },
];

export function ceilingCases(): CeilingCase[] {
  const cases: CeilingCase[] = [];
  for (const l of LAYERS) {
    const [n, h, w, ci] = l.x;
    const [kh, kw, , co] = l.w;
    const macs = n * Math.ceil(h / l.stride) * Math.ceil(w / l.stride) * kh * kw * ci * co;
    for (const op of ['forward', 'input', 'filter'] as const) {
      cases.push({ name: `${l.name} ${op}`, op, x: l.x, w: l.w, stride: l.stride, macs });
    }
  }
  // conv3's GEMMs: forward [n·OH·OW, KH·KW·ci]·[KH·KW·ci, co] and filter gradient [KH·KW·ci, n·OH·OW]·[n·OH·OW, co].
  cases.push({ name: 'GEMM 6272×576·576×128', op: 'gemm', mkn: [6272, 576, 128], macs: 6272 * 576 * 128 });
  cases.push({ name: 'GEMM 576×6272·6272×128', op: 'gemm', mkn: [576, 6272, 128], macs: 6272 * 576 * 128 });
  return cases;
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Median ms of `run` on fresh copies of `inputs` each call (copied outside the timing): XNNPACK caches the packed
 * weights of a GEMM or conv by tensor id, and in a training step every operand is new.
 */
function timeMs(inputs: tf.Tensor[], run: (fresh: tf.Tensor[]) => tf.Tensor, budgetMs: number): number {
  const once = (): number => {
    const fresh = inputs.map((t) => tf.mul(t, 1));
    const started = performance.now();
    const out = run(fresh);
    const ms = performance.now() - started;
    tf.dispose([out, ...fresh]);
    return ms;
  };
  for (let i = 0; i < 2; i++) once();
  const samples: number[] = [];
  const started = performance.now();
  while (samples.length < 3 || performance.now() - started < budgetMs) samples.push(once());
  return medianOf(samples);
}

/** Times one case on the active backend (wasm with our kernels): median ms per call. */
export function timeOurs(c: CeilingCase, budgetMs: number): number {
  return tf.tidy(() => {
    if (c.op === 'gemm') {
      const [m, k, n] = c.mkn!;
      const a = tf.randomUniform([m, k], 0, 1, 'float32', 1);
      const b = tf.randomUniform([k, n], 0, 1, 'float32', 2);
      return timeMs([a, b], ([a2, b2]) => tf.matMul(a2!, b2!), budgetMs);
    }
    const strides: [number, number] = [c.stride!, c.stride!];
    const x = tf.randomUniform(c.x!, 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomUniform(c.w!, 0, 1, 'float32', 2) as tf.Tensor4D;
    const dy = tf.randomUniform(tf.conv2d(x, w, strides, 'same').shape, 0, 1, 'float32', 3) as tf.Tensor4D;
    const attrs = { strides, pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined };
    const kernel = (name: string, inputs: tf.NamedTensorMap, extra: object) =>
      tf.engine().runKernel(name, inputs, { ...attrs, ...extra } as never) as tf.Tensor;
    if (c.op === 'forward') {
      return timeMs([x, w], ([x2, w2]) => tf.conv2d(x2 as tf.Tensor4D, w2 as tf.Tensor4D, strides, 'same'), budgetMs);
    }
    if (c.op === 'input') {
      const run = ([dy2, w2]: tf.Tensor[]) =>
        kernel('Conv2DBackpropInput', { dy: dy2!, filter: w2! }, { inputShape: c.x });
      return timeMs([dy, w], run, budgetMs);
    }
    const run = ([x2, dy2]: tf.Tensor[]) => kernel('Conv2DBackpropFilter', { x: x2!, dy: dy2! }, { filterShape: c.w });
    return timeMs([x, dy], run, budgetMs);
  });
}

const SCRIPT = fileURLToPath(new URL('./conv_ceiling.py', import.meta.url));

/** conv_ceiling.py kept open: ask(case) answers its median ms per call. */
async function openTorch(python = '/usr/bin/python3') {
  const child = execa(python, [SCRIPT], { timeout: 1_800_000 });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async (): Promise<{ ok: boolean; ms?: number; torch?: string; error?: string }> => {
    const line = await lines.next();
    if (line.done) throw new Error(`${SCRIPT} ended early`);
    return JSON.parse(line.value) as { ok: boolean; ms?: number; torch?: string; error?: string };
  };
  const hello = await next();
  if (!hello.ok) throw new Error(`conv_ceiling.py: ${hello.error}`);
  return {
    ask: async (c: CeilingCase, budgetMs: number): Promise<number> => {
      child.stdin!.write(`${JSON.stringify({ ...c, ms: budgetMs })}\n`);
      const answer = await next();
      if (!answer.ok || answer.ms === undefined) throw new Error(`conv_ceiling.py, ${c.name}: ${answer.error}`);
      return answer.ms;
    },
    close: async () => {
      child.stdin!.end();
      await child;
    },
  };
}

export interface CeilingRow {
  name: string;
  macs: number;
  oursMs: number;
  /** Undefined for the GEMMs (ours only). */
  torchMs?: number;
  /** Median over rounds of ours / torch. */
  ratio?: number;
  roundRatios: number[];
}

export async function runConvCeiling(rounds: number, budgetMs: number): Promise<CeilingRow[]> {
  await initEngine({ backend: 'wasm' });
  const cases = ceilingCases();
  const torch = await openTorch();
  try {
    const rows: CeilingRow[] = [];
    for (const c of cases) {
      const ours: number[] = [];
      const theirs: number[] = [];
      for (let r = 0; r < rounds; r++) {
        ours.push(timeOurs(c, budgetMs));
        if (c.op !== 'gemm') theirs.push(await torch.ask(c, budgetMs));
      }
      const roundRatios = theirs.map((t, r) => ours[r]! / t);
      rows.push({
        name: c.name,
        macs: c.macs,
        oursMs: medianOf(ours),
        ...(theirs.length ? { torchMs: medianOf(theirs), ratio: medianOf(roundRatios) } : {}),
        roundRatios,
      });
    }
    return rows;
  } finally {
    await torch.close();
  }
}

export function renderCeiling(rows: CeilingRow[]): string {
  const lines = [
    '| case | MMAC | ours ms | GMAC/s | PyTorch ms | GMAC/s | ours / PyTorch (median of rounds) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    const g = (ms: number) => (r.macs / ms / 1e6).toFixed(1);
    const torch = r.torchMs === undefined ? ['—', '—'] : [r.torchMs.toFixed(2), g(r.torchMs)];
    const rounds = r.roundRatios.map((x) => x.toFixed(2)).join(', ');
    const ratio = r.ratio === undefined ? '—' : `${r.ratio.toFixed(2)}× (${rounds})`;
    const ours = `${r.oursMs.toFixed(2)} | ${g(r.oursMs)}`;
    lines.push(`| ${r.name} | ${(r.macs / 1e6).toFixed(1)} | ${ours} | ${torch.join(' | ')} | ${ratio} |`);
  }
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rounds = Number(process.argv[2] ?? 5);
  const budget = Number(process.argv[3] ?? 300);
  const rows = await runConvCeiling(rounds, budget);
  console.log(renderCeiling(rows));
}
