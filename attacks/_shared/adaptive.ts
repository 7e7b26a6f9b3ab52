// What adaptive attacks share: reading the defense's public options from ctx.defense (present only for attacks that
// declare meta.targets, and only with the options the defense does not mark secret), and spotting answers that a
// detecting defense replaced with garbage, so that training can leave them out.
import type { AttackContext, Vectors } from '../../benchmark/index.ts';

/** The public option `key` of the cell's defense when that defense is `id`; otherwise undefined. */
export function defenseOption<T>(ctx: Pick<AttackContext, 'defense'>, id: string, key: string): T | undefined {
  if (ctx.defense?.id !== id) return undefined;
  return ctx.defense.options[key] as T | undefined;
}

/** True when the cell's defense is one of `ids` (false when the attack was not told: oblivious or hand-built ctx). */
export function facing(ctx: Pick<AttackContext, 'defense'>, ...ids: string[]): boolean {
  return ctx.defense !== undefined && ids.includes(ctx.defense.id);
}

/**
 * Rows whose length is far from a genuine answer's: more than `factor` times the lower quartile of the row norms (a
 * quartile, not the median, so that the reference stays genuine while up to three quarters of the rows are garbage),
 * or not finite.
 * Similar-query detection answers a flagged query with N(1000, 20²) per coordinate, orders of magnitude longer than
 * a representation; training on those rows would teach the student noise.
 */
export function outlierRows(answers: Vectors, factor = 10): boolean[] {
  const norms = Array.from({ length: answers.count }, (_, r) => {
    let sum = 0;
    for (let c = 0; c < answers.dim; c++) sum += answers.data[r * answers.dim + c]! ** 2;
    return Math.sqrt(sum);
  });
  const sorted = norms.filter(Number.isFinite).sort((a, b) => a - b);
  const quartile = sorted.length ? sorted[Math.floor(sorted.length / 4)]! : 0;
  return norms.map((n) => !Number.isFinite(n) || (quartile > 0 && n > factor * quartile));
}

/**
 * The answers a detecting defense replaced with garbage. Under similar-query detection with `perturbFlagged`, whose
 * public options say the garbage is N(noiseMean, noiseSigma²) per coordinate, a row is garbage when its mean lies
 * within 6 standard errors of noiseMean (a representation's mean sits far from the default 1000); otherwise, knowing
 * nothing, rows far longer than the rest (`outlierRows`).
 */
export function garbageRows(ctx: Pick<AttackContext, 'defense'>, answers: Vectors): boolean[] {
  const perturbs = defenseOption<boolean>(ctx, 'similar-query-detection', 'perturbFlagged');
  const mean = defenseOption<number>(ctx, 'similar-query-detection', 'noiseMean');
  const sigma = defenseOption<number>(ctx, 'similar-query-detection', 'noiseSigma');
  if (perturbs === false) return new Array<boolean>(answers.count).fill(false);
  if (perturbs === undefined || mean === undefined || sigma === undefined) return outlierRows(answers);
  const tolerance = (6 * Math.max(sigma, 1e-6)) / Math.sqrt(answers.dim);
  return Array.from({ length: answers.count }, (_, r) => {
    let sum = 0;
    for (let c = 0; c < answers.dim; c++) sum += answers.data[r * answers.dim + c]!;
    const rowMean = sum / answers.dim;
    return !Number.isFinite(rowMean) || Math.abs(rowMean - mean) <= tolerance;
  });
}
