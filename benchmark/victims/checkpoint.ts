// Per-epoch checkpoints of a victim training, so that a run stopped with its session continues where it was
// (`stealbench train-victim <id> --resume`). A checkpoint lives in `<cache>/victims/partial/<hash>/`, apart from the
// finished victims in `<cache>/victims/<hash>/`, as two files named by the steps done: `step-<n>.bin` (every weight
// and Adam moment, float32 little-endian, one after the other) and `step-<n>.json` (what they are, the epoch and batch,
// the losses, the seconds spent, the sha256 of the .bin). Checkpoints are taken at every epoch's end and, inside long
// epochs, every few minutes. Each file is written under a temporary name and renamed, the .json last: a checkpoint
// exists once its .json does, so a process killed while writing leaves the previous one intact.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckpointTensor, SslCheckpoint } from '../nn/index.ts';
import type { VictimMetrics } from './train.ts';

/** A training's state between two steps plus what the victim's metrics need from the steps already run. */
export interface VictimCheckpoint {
  /** The victim hash of the run (recipe + extra): a checkpoint only continues the same run. */
  hash: string;
  checkpoint: SslCheckpoint;
  /** Training seconds of all epochs so far, over every process that ran them. */
  trainingSeconds: number;
  probeCurve?: VictimMetrics['probeCurve'];
}

interface TensorEntry {
  name: string;
  shape: number[];
  /** Offset and length in float32 values into the .bin. */
  offset: number;
  length: number;
}

interface CheckpointFile {
  format: 'stealbench-victim-checkpoint/1';
  hash: string;
  epoch: number;
  batch: number;
  lossSum: number;
  seed: number;
  method: SslCheckpoint['method'];
  batchSize: number;
  epochLosses: number[];
  steps: number;
  trainingSeconds: number;
  probeCurve?: VictimMetrics['probeCurve'];
  savedAt: string;
  tensors: TensorEntry[];
  optimizer: {
    iterations: number;
    accBeta1: number;
    accBeta2: number;
    firstMoments: TensorEntry[];
    secondMoments: TensorEntry[];
  };
  /** sha256 of the .bin. */
  sha256: string;
}

const FORMAT = 'stealbench-victim-checkpoint/1';
const fileName = (steps: number, ext: 'json' | 'bin') => `step-${String(steps).padStart(7, '0')}.${ext}`;

/** `<victimsCacheDir>/partial/<hash>`: where a run's checkpoints go. */
export const partialDir = (victimsCacheDir: string, hash: string): string => join(victimsCacheDir, 'partial', hash);

async function writeAtomically(path: string, data: string | Uint8Array): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`;
  await writeFile(temp, data);
  await rename(temp, path);
}

/** Writes a checkpoint into `dir` and then removes the older ones' files. */
export async function writeVictimCheckpoint(dir: string, saved: VictimCheckpoint): Promise<void> {
  await mkdir(dir, { recursive: true });
  const c = saved.checkpoint;
  const parts: Float32Array[] = [];
  let offset = 0;
  const entry = (name: string, shape: number[], values: Float32Array): TensorEntry => {
    const count = shape.reduce((a, b) => a * b, 1);
    if (count !== values.length)
      throw new Error(`checkpoint tensor ${name}: shape [${shape}] needs ${count} values, found ${values.length}`);
    parts.push(values);
    const e = { name, shape, offset, length: values.length };
    offset += values.length;
    return e;
  };
  const tensors = c.tensors.map((t) => entry(t.name, t.shape, t.values));
  const firstMoments = c.optimizer.firstMoments.map((m, i) => entry(`adam/m/${i}`, m.shape, m.values));
  const secondMoments = c.optimizer.secondMoments.map((m, i) => entry(`adam/v/${i}`, m.shape, m.values));
  const bin = new Float32Array(offset);
  let at = 0;
  for (const p of parts) {
    bin.set(p, at);
    at += p.length;
  }
  const bytes = new Uint8Array(bin.buffer);
  const file: CheckpointFile = {
    format: FORMAT,
    hash: saved.hash,
    epoch: c.epoch,
    batch: c.batch,
    lossSum: c.lossSum,
    seed: c.seed,
    method: c.method,
    batchSize: c.batchSize,
    epochLosses: c.epochLosses,
    steps: c.steps,
    trainingSeconds: saved.trainingSeconds,
    ...(saved.probeCurve ? { probeCurve: saved.probeCurve } : {}),
    savedAt: new Date().toISOString(),
    tensors,
    optimizer: {
      iterations: c.optimizer.iterations,
      accBeta1: c.optimizer.accBeta1,
      accBeta2: c.optimizer.accBeta2,
      firstMoments,
      secondMoments,
    },
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
  await writeAtomically(join(dir, fileName(c.steps, 'bin')), bytes);
  await writeAtomically(join(dir, fileName(c.steps, 'json')), `${JSON.stringify(file)}\n`);
  for (const name of await readdir(dir)) {
    const m = /^step-(\d+)\.(json|bin)$/.exec(name);
    if (m && Number(m[1]) < c.steps) await rm(join(dir, name), { force: true });
  }
}

/** The latest complete checkpoint in `dir`, or undefined when there is none. Throws naming the file when corrupt. */
export async function readVictimCheckpoint(dir: string): Promise<VictimCheckpoint | undefined> {
  if (!existsSync(dir)) return undefined;
  const saved = (await readdir(dir))
    .map((name) => /^step-(\d+)\.json$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => b - a);
  const latest = saved[0];
  if (latest === undefined) return undefined;
  const jsonPath = join(dir, fileName(latest, 'json'));
  const binPath = join(dir, fileName(latest, 'bin'));
  const file = JSON.parse(await readFile(jsonPath, 'utf8')) as CheckpointFile;
  if (file.format !== FORMAT)
    throw new Error(`${jsonPath}: expected format ${FORMAT}, found ${JSON.stringify(file.format)}`);
  const bytes = await readFile(binPath);
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== file.sha256)
    throw new Error(
      `${binPath}: sha256 ${sha.slice(0, 12)}… does not match ${jsonPath} (${file.sha256.slice(0, 12)}…); ` +
        `delete ${dir} to start over`,
    );
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const values = (e: TensorEntry) => all.slice(e.offset, e.offset + e.length);
  const tensors: CheckpointTensor[] = file.tensors.map((e) => ({ name: e.name, shape: e.shape, values: values(e) }));
  const moment = (e: TensorEntry) => ({ shape: e.shape, values: values(e) });
  return {
    hash: file.hash,
    trainingSeconds: file.trainingSeconds,
    ...(file.probeCurve ? { probeCurve: file.probeCurve } : {}),
    checkpoint: {
      epoch: file.epoch,
      batch: file.batch,
      lossSum: file.lossSum,
      seed: file.seed,
      method: file.method,
      batchSize: file.batchSize,
      epochLosses: file.epochLosses,
      steps: file.steps,
      tensors,
      optimizer: {
        iterations: file.optimizer.iterations,
        accBeta1: file.optimizer.accBeta1,
        accBeta2: file.optimizer.accBeta2,
        firstMoments: file.optimizer.firstMoments.map(moment),
        secondMoments: file.optimizer.secondMoments.map(moment),
      },
    },
  };
}
