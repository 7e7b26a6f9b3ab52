// Checks a query batch before the oracle charges anything for it. The oracle is the one door to the victim, so a
// malformed batch must be refused here with an error that says which field, what was expected and what was found —
// never half-processed, never charged.
import type { AccountReport, GuardResponse, ImageBatch, Vectors } from '../plugin/types.ts';
import { GuardAnswerError, InvalidQueryError } from './errors.ts';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an Array of length ${value.length}`;
  if (ArrayBuffer.isView(value))
    return `a ${value.constructor.name} of length ${(value as unknown as ArrayLike<number>).length}`;
  if (typeof value === 'object') return `an object (${(value as object).constructor?.name ?? 'Object'})`;
  // Capped: the value may come from a plugin and end up in a record.
  const text = String(value);
  return `${typeof value} ${text.length > 80 ? `${text.slice(0, 80)}… (${text.length} characters)` : text}`;
}

function checkDimension(images: ImageBatch, field: 'height' | 'width' | 'channels', expected: number): void {
  const found = images[field];
  if (found !== expected)
    throw new InvalidQueryError(`images.${field}`, `${expected} (the victim's input shape)`, describe(found));
}

/**
 * Throws `InvalidQueryError` unless `images` is an NHWC float32 batch of the victim's input shape with every pixel a
 * finite number in [0, 1].
 */
export function validateBatch(
  images: unknown,
  inputShape: readonly [number, number, number],
): asserts images is ImageBatch {
  if (typeof images !== 'object' || images === null)
    throw new InvalidQueryError('images', 'an ImageBatch object', describe(images));
  const batch = images as ImageBatch;
  if (!Number.isInteger(batch.count) || batch.count < 1) {
    throw new InvalidQueryError('images.count', 'a positive integer', describe(batch.count));
  }
  checkDimension(batch, 'height', inputShape[0]);
  checkDimension(batch, 'width', inputShape[1]);
  checkDimension(batch, 'channels', inputShape[2]);
  if (!(batch.data instanceof Float32Array)) {
    throw new InvalidQueryError('images.data', 'a Float32Array (NHWC pixels in [0, 1])', describe(batch.data));
  }
  const perImage = inputShape[0] * inputShape[1] * inputShape[2];
  const expectedLength = batch.count * perImage;
  if (batch.data.length !== expectedLength) {
    throw new InvalidQueryError(
      'images.data.length',
      `${expectedLength} (count ${batch.count} × ${inputShape.join('×')})`,
      String(batch.data.length),
    );
  }
  const data = batch.data;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    // One comparison catches NaN too (NaN fails both tests).
    if (!(v >= 0 && v <= 1)) {
      const where = `image ${Math.floor(i / perImage)}, offset ${i % perImage}`;
      const found = Number.isNaN(v) ? 'NaN' : v === Infinity || v === -Infinity ? String(v) : `${v} (out of range)`;
      throw new InvalidQueryError(`images.data[${i}] (${where})`, 'a finite pixel value in [0, 1]', found);
    }
  }
}

/** `null` when `v` is Vectors holding `count` rows of finite numbers; else what is wrong with it, in words. */
export function vectorsProblem(v: unknown, count: number): string | null {
  if (typeof v !== 'object' || v === null) return `${describe(v)} instead of Vectors`;
  const { data, count: found, dim } = v as Vectors;
  if (!(data instanceof Float32Array)) return `data is ${describe(data)}, expected a Float32Array`;
  const show = (value: unknown) => (typeof value === 'number' ? String(value) : describe(value));
  if (found !== count) return `count ${show(found)} for a batch of ${count} image(s)`;
  if (!Number.isInteger(dim) || dim < 1) return `dim ${show(dim)}, expected a positive integer`;
  if (data.length !== count * dim) return `data length ${data.length}, expected count × dim = ${count} × ${dim}`;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!))
      return `${data[i]} at row ${Math.floor(i / dim)}, column ${i % dim}; every value must be finite`;
  }
  return null;
}

/**
 * Throws `GuardAnswerError` unless the guard's response fits a batch of `count` images: finite answer vectors with
 * one row per image, flags one boolean per image, labels one class index per image, costs finite and ≥ 0. The oracle
 * checks this for every batch, as it checks queries, so a defense's fault is caught where it happens and blamed on it.
 */
export function validateGuardResponse(response: unknown, count: number): asserts response is GuardResponse {
  const fail = (what: string): never => {
    throw new GuardAnswerError(`the defense guard's answer to a batch of ${count} image(s) is invalid: ${what}.`);
  };
  if (typeof response !== 'object' || response === null) fail(`it returned ${describe(response)}, expected { answer }`);
  const r = response as GuardResponse;
  const problem = vectorsProblem(r.answer, count);
  if (problem) fail(`answer: ${problem}`);
  if (r.flagged !== undefined) {
    if (!Array.isArray(r.flagged) || r.flagged.length !== count || r.flagged.some((f) => typeof f !== 'boolean')) {
      fail(`flagged must be ${count} boolean(s), found ${describe(r.flagged)}`);
    }
  }
  if (r.labels !== undefined) {
    if (
      !(r.labels instanceof Int32Array) ||
      r.labels.length !== count ||
      r.labels.some((l) => l < 0 || l >= r.answer.dim)
    ) {
      fail(
        `labels must be an Int32Array of ${count} class index(es) in [0, ${r.answer.dim}), found ${describe(r.labels)}`,
      );
    }
  }
  if (r.cost !== undefined) {
    if (typeof r.cost !== 'object' || r.cost === null)
      fail(`cost is ${describe(r.cost)}, expected { hashes?, seconds? }`);
    for (const field of ['hashes', 'seconds'] as const) {
      const value = r.cost[field];
      if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
        fail(`cost.${field} must be a finite number ≥ 0, found ${describe(value)}`);
      }
    }
  }
  if (r.note !== undefined && typeof r.note !== 'string') fail(`note must be a string, found ${describe(r.note)}`);
}

/** Throws `GuardAnswerError` unless a guard's `report()` is a list of `{ account, flagged, score? }` verdicts. */
export function validateAccountReports(reports: unknown): asserts reports is AccountReport[] {
  const fail = (what: string): never => {
    throw new GuardAnswerError(`the defense guard's report() is invalid: ${what}.`);
  };
  if (!Array.isArray(reports))
    fail(`it returned ${describe(reports)}, expected an array of { account, flagged, score? }`);
  (reports as unknown[]).forEach((report, i) => {
    if (typeof report !== 'object' || report === null) fail(`entry ${i} is ${describe(report)}`);
    const { account, flagged, score } = report as AccountReport;
    if (typeof account !== 'string') fail(`entry ${i}: account must be a string, found ${describe(account)}`);
    if (typeof flagged !== 'boolean') fail(`entry ${i}: flagged must be a boolean, found ${describe(flagged)}`);
    if (score !== undefined && !(typeof score === 'number' && Number.isFinite(score))) {
      fail(`entry ${i}: score must be a finite number, found ${describe(score)}`);
    }
    const { rules } = report as AccountReport;
    if (rules !== undefined) {
      if (!Array.isArray(rules)) fail(`entry ${i}: rules must be an array, found ${describe(rules)}`);
      rules.forEach((count, k) => {
        const at = `entry ${i}: rules[${k}]`;
        if (!['window', 'history', 'pairwise'].includes(count?.rule))
          fail(`${at}.rule must be 'window', 'history' or 'pairwise', found ${describe(count?.rule)}`);
        if (!['representation', 'projection'].includes(count.features))
          fail(`${at}.features must be 'representation' or 'projection', found ${describe(count.features)}`);
        if (count.rule === 'window' && !(Number.isInteger(count.window) && count.window! >= 1))
          fail(`${at}.window must be an integer >= 1, found ${describe(count.window)}`);
        if (!(Number.isInteger(count.queries) && count.queries >= 0))
          fail(`${at}.queries must be an integer >= 0, found ${describe(count.queries)}`);
        if (!(Number.isInteger(count.flagged) && count.flagged >= 0 && count.flagged <= count.queries)) {
          fail(`${at}.flagged must be an integer in 0..queries (${count.queries}), found ${describe(count.flagged)}`);
        }
      });
    }
  });
}

/** Throws `GuardAnswerError` unless a guard's `figures()` is an object of finite numbers. */
export function validateDefenseFigures(figures: unknown): asserts figures is Record<string, number> {
  if (typeof figures !== 'object' || figures === null || Array.isArray(figures)) {
    throw new GuardAnswerError(
      `the defense guard's figures() is invalid: it returned ${describe(figures)}, ` +
        `expected an object of named numbers.`,
    );
  }
  for (const [name, value] of Object.entries(figures)) {
    if (!(typeof value === 'number' && Number.isFinite(value))) {
      throw new GuardAnswerError(
        `the defense guard's figures() is invalid: '${name}' must be a finite number, found ${describe(value)}.`,
      );
    }
  }
}
