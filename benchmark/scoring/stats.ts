// Statistics over seeds and the t-tests of the ownership defenses (issue 6 item 9), on @stdlib's implementations:
// the Student t quantile for intervals, ttest2 (Welch, unequal variances) and ttest (one-sample). Nothing here
// re-derives a distribution by hand; this file only checks inputs and gives the results names we use.
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import ttest from '@stdlib/stats-ttest';
import ttest2 from '@stdlib/stats-ttest2';

export type Alternative = 'two-sided' | 'less' | 'greater';

/** A mean with its t confidence interval (half-width and bounds) over `n` values. */
export interface MeanInterval {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1 denominator); null for a single value. */
  sd: number | null;
  /** Half-width of the Student t interval; null when n < 2 (no spread to estimate). */
  halfWidth: number | null;
  low: number | null;
  high: number | null;
  level: number;
}

/** A t-test's statistic, degrees of freedom and p-value. */
export interface TTestResult {
  statistic: number;
  pValue: number;
  df: number;
  alternative: Alternative;
}

function checkSample(name: string, values: ArrayLike<number>, minimum: number): number[] {
  const out = Array.from(values);
  if (out.length < minimum) throw new RangeError(`${name}: need at least ${minimum} values, found ${out.length}`);
  out.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new RangeError(`${name}[${i}]: expected a finite number, found ${v}`);
  });
  return out;
}

/** Mean and two-sided Student t confidence interval (default 95%) of a sample, e.g. one metric over seeds. */
export function meanInterval(values: ArrayLike<number>, level = 0.95): MeanInterval {
  if (!(level > 0 && level < 1)) throw new RangeError(`meanInterval: level must lie in (0, 1), found ${level}`);
  const xs = checkSample('meanInterval', values, 1);
  const n = xs.length;
  const mean = xs.reduce((s, v) => s + v, 0) / n;
  if (n < 2) return { n, mean, sd: null, halfWidth: null, low: null, high: null, level };
  const sd = Math.sqrt(xs.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  const halfWidth = tQuantile(1 - (1 - level) / 2, n - 1) * (sd / Math.sqrt(n));
  return { n, mean, sd, halfWidth, low: mean - halfWidth, high: mean + halfWidth, level };
}

/**
 * Welch's two-sample t-test (unequal variances) of mean(x) − mean(y) against 0.
 * `greater` asks whether x's mean is larger (e.g. watermark success of a stolen copy versus an independent encoder).
 */
export function welchTTest(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  alternative: Alternative = 'two-sided',
): TTestResult {
  const xs = checkSample('welchTTest x', x, 2);
  const ys = checkSample('welchTTest y', y, 2);
  const r = ttest2(xs, ys, { alternative, variance: 'unequal' });
  return { statistic: r.statistic, pValue: r.pValue, df: r.df, alternative };
}

/** One-sample t-test of mean(x) against `mu` (e.g. watermark success against chance, 0.5). */
export function oneSampleTTest(x: ArrayLike<number>, mu: number, alternative: Alternative = 'two-sided'): TTestResult {
  if (!Number.isFinite(mu)) throw new RangeError(`oneSampleTTest: mu must be finite, found ${mu}`);
  const xs = checkSample('oneSampleTTest x', x, 2);
  const r = ttest(xs, { mu, alternative });
  return { statistic: r.statistic, pValue: r.pValue, df: r.df, alternative };
}

/** A paired difference over seeds: the mean interval of x[seed] − y[seed] over the seeds both samples have. */
export interface PairedDifference extends MeanInterval {
  /** The common seeds, ascending. */
  seeds: number[];
}

/**
 * Paired difference x − y over the seeds both maps have (per-seed values keyed by seed), with its Student t interval
 * (default 95%). Null when no seed is shared. Pairing by seed removes what the two cells share on that seed (the
 * attacker's query sample, the probe's initialisation), which an unpaired comparison would count as noise.
 */
export function pairedDifference(
  x: ReadonlyMap<number, number>,
  y: ReadonlyMap<number, number>,
  level = 0.95,
): PairedDifference | null {
  const seeds = [...x.keys()].filter((seed) => y.has(seed)).sort((a, b) => a - b);
  if (seeds.length === 0) return null;
  const differences = seeds.map((seed) => (x.get(seed) as number) - (y.get(seed) as number));
  return { ...meanInterval(differences, level), seeds };
}
