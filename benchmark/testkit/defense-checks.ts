// The defense contract, on the tiny victim: a guard answers every image of every batch with finite values (one
// answer per image, flags and labels sized to the batch), does not write to the request, gives the same answers for
// the same seed and traffic, reports per-account verdicts of the right shape, and leaves no tensors behind after
// dispose(). prepareVictim returns plain JSON, the same each time; verifyOwnership returns a well-formed, repeatable
// verdict. (Whether the verdict is *right* needs a trained victim: that is the defense's own tests' job.)
import * as tf from '@tensorflow/tfjs-core';
import { initEngine, type BackendChoice } from '../engine/index.ts';
import { resolveOptions } from '../plugin/options.ts';
import type {
  DefensePlugin,
  GuardRequest,
  ImageBatch,
  OracleOutput,
  OwnershipResult,
  Vectors,
  VictimDeployment,
} from '../plugin/types.ts';
import { wrapDefense } from '../plugin/wrap.ts';
import { deriveSeed } from '../util/random.ts';
import {
  digest,
  fail,
  frozenWriteHint,
  isFrozenWrite,
  once,
  optionsChecks,
  shapeCheck,
  type ContractCheck,
  type InvalidOptionsCase,
} from './check.ts';
import { createTinyVictim, tinyImages } from './tiny-victim.ts';

/** One defense case the kit runs: options and the API's output. */
export interface DefenseCase {
  name?: string;
  options?: Record<string, unknown>;
  /** What the API returns in this case (default 'representation'). */
  output?: OracleOutput;
  seed?: number;
}

/** `testDefense`'s options: the cases to run and the invalid option sets that must be refused. */
export interface DefenseKitOptions {
  cases?: DefenseCase[];
  invalid?: InvalidOptionsCase[];
  backend?: BackendChoice;
}

/** Interleaved traffic of an attacker and a legitimate user, batch sizes including 1. */
const TRAFFIC: readonly [account: string, count: number][] = [
  ['attacker', 8],
  ['user-1', 5],
  ['attacker', 1],
  ['user-1', 8],
  ['attacker', 16],
];

interface GuardRun {
  problems: string[];
  /** Digest of every answer, flag and label, in order. */
  answers: string;
  /** report() with costs left out (proof-of-work timings may vary). */
  report: string;
  leakedTensors: number;
}

function slice(set: ImageBatch, start: number, count: number): ImageBatch {
  const size = set.height * set.width * set.channels;
  return {
    data: set.data.slice(start * size, (start + count) * size),
    count,
    height: set.height,
    width: set.width,
    channels: set.channels,
  };
}

async function cleanAnswer(victim: VictimDeployment, images: ImageBatch, output: OracleOutput): Promise<Vectors> {
  if (output === 'label') return (await victim.classify!(images)).scores;
  const rep = await victim.encode(images);
  return output === 'projection' ? victim.project!(rep) : rep;
}

function checkResponse(response: unknown, count: number, at: string, problems: string[]): void {
  const r = response as {
    answer?: Vectors;
    flagged?: unknown;
    labels?: unknown;
    cost?: Record<string, unknown>;
  } | null;
  const answer = r?.answer;
  if (!answer || !(answer.data instanceof Float32Array)) {
    problems.push(
      `${at}: answer() must resolve to { answer: { data: Float32Array, count, ` +
        `dim } }, found ${JSON.stringify(r)?.slice(0, 80)}`,
    );
    return;
  }
  if (answer.count !== count)
    problems.push(
      `${at}: answer.count is ${answer.count} for a batch of ${count} images; answer every image, in order`,
    );
  if (!Number.isInteger(answer.dim) || answer.dim < 1)
    problems.push(`${at}: answer.dim must be a positive integer, found ${answer.dim}`);
  else if (answer.data.length !== count * answer.dim)
    problems.push(
      `${at}: answer.data has ${answer.data.length} values, expected count × dim = ${count} × ${answer.dim}`,
    );
  const bad = answer.data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) problems.push(`${at}: answer.data[${bad}] is ${answer.data[bad]}; answers must be finite numbers`);
  if (
    r.flagged !== undefined &&
    (!Array.isArray(r.flagged) || r.flagged.length !== count || !r.flagged.every((f) => typeof f === 'boolean'))
  ) {
    problems.push(
      `${at}: flagged must be one boolean per image (${count}), found ${JSON.stringify(r.flagged)?.slice(0, 80)}`,
    );
  }
  if (r.labels !== undefined && (!(r.labels instanceof Int32Array) || r.labels.length !== count))
    problems.push(`${at}: labels must be an Int32Array of length ${count}`);
  for (const [key, value] of Object.entries(r.cost ?? {})) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      problems.push(`${at}: cost.${key} must be a finite number ≥ 0, found ${String(value)}`);
  }
}

function checkReport(report: unknown, accounts: Set<string>, problems: string[]): string {
  if (report === undefined) return 'no report';
  if (!Array.isArray(report)) {
    problems.push(`report() must return an array of { account, flagged, score? }, found ${typeof report}`);
    return '';
  }
  const kept = report.map((entry: Record<string, unknown>, i) => {
    if (typeof entry?.account !== 'string' || !accounts.has(entry.account))
      problems.push(
        `report()[${i}].account must be one of the accounts that queried (${[...accounts].join(', ')}), ` +
          `found ${JSON.stringify(entry?.account)}`,
      );
    if (typeof entry?.flagged !== 'boolean')
      problems.push(`report()[${i}].flagged must be a boolean, found ${JSON.stringify(entry?.flagged)}`);
    if (entry?.score !== undefined && (typeof entry.score !== 'number' || Number.isNaN(entry.score)))
      problems.push(`report()[${i}].score must be a number, found ${JSON.stringify(entry.score)}`);
    return [entry?.account, entry?.flagged, entry?.score];
  });
  return JSON.stringify(kept);
}

/** Create a guard on a fresh tiny victim and send it the fixed traffic. */
export async function runGuardOnce(
  plugin: DefensePlugin<any>,
  testCase: DefenseCase,
  kit: DefenseKitOptions = {},
): Promise<GuardRun> {
  await initEngine({ backend: kit.backend ?? 'wasm' });
  const seed = testCase.seed ?? 1;
  const output = testCase.output ?? 'representation';
  const victim = createTinyVictim(deriveSeed(seed, 'testkit-victim'));
  const images = tinyImages(
    TRAFFIC.reduce((s, [, n]) => s + n, 0),
    deriveSeed(seed, 'testkit-traffic'),
  );
  const options = resolveOptions('defense', plugin, testCase.options);
  const id = plugin.meta.id;
  const wrapped = wrapDefense(plugin);
  const problems: string[] = [];
  const parts: (string | ArrayBufferView)[] = [];
  const before = tf.memory().numTensors;
  // The provider's training data, for guards that calibrate on it: tiny images from another seed than the traffic.
  const privateData = tinyImages(64, deriveSeed(seed, 'testkit-private'), 'testkit/private');
  const guard = await wrapped.guard!(
    victim,
    options,
    Object.freeze({ seed, log: () => {}, loadPrivateData: async () => privateData }),
  );
  let start = 0;
  for (const [n, [account, count]] of TRAFFIC.entries()) {
    const batch = Object.freeze(slice(images, start, count));
    start += count;
    const clean = Object.freeze(await cleanAnswer(victim, batch, output));
    const request: GuardRequest = Object.freeze({ account, images: batch, clean, output });
    const sums = digest([batch.data, clean.data]);
    const at = `batch ${n + 1} (${account}, ${count} image${count === 1 ? '' : 's'})`;
    let response;
    try {
      response = await guard.answer(request);
    } catch (error) {
      if (isFrozenWrite(error)) fail(frozenWriteHint('defense', id, 'guard.answer', error));
      throw error;
    }
    if (digest([batch.data, clean.data]) !== sums)
      problems.push(
        `${at}: guard.answer() changed request.images.data or request.clean.data; answer with new arrays instead`,
      );
    checkResponse(response, count, at, problems);
    if (response?.answer?.data instanceof Float32Array) {
      parts.push(`${response.answer.dim}`, response.answer.data, JSON.stringify(response.flagged ?? null));
      if (response.labels) parts.push(response.labels);
    }
  }
  const report = checkReport(guard.report?.(), new Set(TRAFFIC.map(([a]) => a)), problems);
  guard.dispose?.();
  return { problems, answers: digest(parts), report, leakedTensors: tf.memory().numTensors - before };
}

function validOwnership(result: unknown): string[] {
  const r = result as Partial<OwnershipResult> | null;
  const problems: string[] = [];
  if (typeof r?.stolen !== 'boolean') problems.push(`stolen must be a boolean, found ${JSON.stringify(r?.stolen)}`);
  if (typeof r?.statistic !== 'number' || Number.isNaN(r.statistic))
    problems.push(`statistic must be a number, found ${JSON.stringify(r?.statistic)}`);
  if (typeof r?.pValue !== 'number' || !(r.pValue >= 0 && r.pValue <= 1))
    problems.push(`pValue must be a number in [0, 1], found ${JSON.stringify(r?.pValue)}`);
  return problems;
}

/** verifyOwnership with the victim itself as the suspect (the contract, not the statistics, is under test here). */
async function runOwnershipOnce(
  plugin: DefensePlugin<any>,
  testCase: DefenseCase,
  kit: DefenseKitOptions,
): Promise<{ result: unknown; mutated: boolean; leakedTensors: number }> {
  await initEngine({ backend: kit.backend ?? 'wasm' });
  const seed = testCase.seed ?? 1;
  const victim = createTinyVictim(deriveSeed(seed, 'testkit-victim'));
  const privateData = Object.freeze(tinyImages(64, deriveSeed(seed, 'testkit-private'), 'testkit/private'));
  const publicData = Object.freeze(tinyImages(64, deriveSeed(seed, 'testkit-public'), 'testkit/public'));
  const sums = digest([privateData.data, publicData.data]);
  const options = resolveOptions('defense', plugin, testCase.options);
  const before = tf.memory().numTensors;
  const result = await wrapDefense(plugin).verifyOwnership!(
    options,
    Object.freeze({
      seed,
      log: () => {},
      victim,
      privateData,
      publicData,
      suspect: (images: ImageBatch) => victim.encode(images),
    }),
  );
  return {
    result,
    mutated: digest([privateData.data, publicData.data]) !== sums,
    leakedTensors: tf.memory().numTensors - before,
  };
}

/** The defense contract as a list of checks (what `testDefense` registers), for runners other than vitest. */
export function defenseChecks(plugin: DefensePlugin<any>, kit: DefenseKitOptions = {}): ContractCheck[] {
  const cases = kit.cases?.length ? kit.cases : [{}];
  const id = plugin?.meta?.id ?? '(no meta.id)';
  const label = (c: DefenseCase, i: number) =>
    c.name ?? (i === 0 && c.options === undefined ? 'default options' : `case ${i + 1}`);
  const checks: ContractCheck[] = [shapeCheck('defense', plugin)];
  checks.push(
    ...optionsChecks(
      'defense',
      plugin,
      cases.map((c, i) => ({ name: label(c, i), options: c.options })),
      kit.invalid ?? [],
    ),
  );

  cases.forEach((testCase, i) => {
    const name = label(testCase, i);
    if (typeof plugin?.guard === 'function') {
      const first = once(() => runGuardOnce(plugin, testCase, kit));
      const second = once(() => runGuardOnce(plugin, testCase, kit));
      checks.push({
        name: `${name}: guard answers every image with finite values and leaves the request untouched`,
        async run() {
          const run = await first();
          if (run.problems.length) fail(`defense '${id}':\n${run.problems.map((p) => `  - ${p}`).join('\n')}`);
        },
      });
      checks.push({
        name: `${name}: guard leaves no tensors behind after dispose()`,
        async run() {
          const run = await first();
          if (run.leakedTensors !== 0)
            fail(
              `defense '${id}' left ${run.leakedTensors} tensor(s) allocated after ` +
                `guard.dispose(): use tf.tidy() in answer() and free what you keep in ` +
                `dispose()`,
            );
        },
      });
      checks.push({
        name: `${name}: guard is deterministic under a seed`,
        async run() {
          const [a, b] = [await first(), await second()];
          if (a.answers !== b.answers || a.report !== b.report) {
            fail(
              `defense '${id}' gave different ${a.answers !== b.answers ? 'answers' : 'reports'} ` +
                `for the same seed and traffic: draw noise from createRng(ctx.seed) (or ` +
                `deriveSeed(ctx.seed, account)), never Math.random`,
            );
          }
        },
      });
    }
    if (typeof plugin?.prepareVictim === 'function') {
      checks.push({
        name: `${name}: prepareVictim returns the same plain JSON every time`,
        async run() {
          const options = resolveOptions('defense', plugin, testCase.options);
          const call = () => {
            try {
              return wrapDefense(plugin).prepareVictim!(options);
            } catch (error) {
              if (isFrozenWrite(error)) fail(frozenWriteHint('defense', id, 'prepareVictim', error));
              throw error;
            }
          };
          const [a, b] = [call(), call()];
          if (a === null || typeof a !== 'object' || Array.isArray(a))
            fail(`defense '${id}': prepareVictim must return an object of recipe settings, found ${JSON.stringify(a)}`);
          const json = JSON.stringify(a);
          if (JSON.stringify(JSON.parse(json)) !== json || !isPlainJson(a))
            fail(`defense '${id}': prepareVictim must return plain JSON (it is hashed into the victim's cache key)`);
          if (JSON.stringify(b) !== json)
            fail(`defense '${id}': prepareVictim returned different settings on two calls with the same options`);
        },
      });
    }
    if (typeof plugin?.verifyOwnership === 'function') {
      const first = once(() => runOwnershipOnce(plugin, testCase, kit));
      const second = once(() => runOwnershipOnce(plugin, testCase, kit));
      checks.push({
        name: `${name}: verifyOwnership returns { stolen, statistic, pValue } the same for the same seed`,
        async run() {
          let a, b;
          try {
            [a, b] = [await first(), await second()];
          } catch (error) {
            if (isFrozenWrite(error)) fail(frozenWriteHint('defense', id, 'verifyOwnership', error));
            throw error;
          }
          const problems = validOwnership(a.result);
          if (problems.length)
            fail(`defense '${id}': verifyOwnership result:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
          if (a.mutated)
            fail(
              `defense '${id}': verifyOwnership changed the pixels of ctx.privateData ` +
                `or ctx.publicData; copy them first`,
            );
          if (a.leakedTensors !== 0)
            fail(
              `defense '${id}': verifyOwnership left ${a.leakedTensors} tensor(s) ` +
                `allocated; use tf.tidy() and dispose what you create`,
            );
          if (JSON.stringify(a.result) !== JSON.stringify(b.result))
            fail(
              `defense '${id}': verifyOwnership gave different results for the same ` +
                `seed: ${JSON.stringify(a.result)} vs ${JSON.stringify(b.result)}`,
            );
        },
      });
    }
  });
  return checks;
}

function isPlainJson(value: unknown): boolean {
  if (value === null || ['string', 'boolean'].includes(typeof value)) return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isPlainJson);
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return Object.values(value as object).every(isPlainJson);
  return false;
}
