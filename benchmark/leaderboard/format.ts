// How numbers and states are written in the leaderboard: accuracies in percent with one decimal, intervals as
// "mean ± half-width", p-values with two significant digits, and cells that did not complete by their state.
import type { MeanInterval } from '../scoring/stats.ts';

/** Percent with one decimal: 0.7123 → "71.2". */
export function percent(value: number): string {
  return (100 * value).toFixed(1);
}

/** "71.2 ± 1.3" (percent), or "71.2" when the interval is unknown (a single seed). */
export function percentInterval(interval: MeanInterval): string {
  const mean = percent(interval.mean);
  return interval.halfWidth === null ? mean : `${mean} ± ${(100 * interval.halfWidth).toFixed(1)}`;
}

/** "0.912 ± 0.010" for scores in [0, 1] that are not percentages (CKA, cosine). */
export function decimalInterval(interval: MeanInterval, digits = 3): string {
  const mean = interval.mean.toFixed(digits);
  return interval.halfWidth === null ? mean : `${mean} ± ${interval.halfWidth.toFixed(digits)}`;
}

/** Signed percentage points: 0.123 → "+12.3". */
export function points(delta: number): string {
  const text = (100 * delta).toFixed(1);
  return delta >= 0 && !text.startsWith('-') ? `+${text}` : text;
}

export function pValue(p: number): string {
  if (!Number.isFinite(p)) return String(p);
  if (p === 0) return '0';
  return p < 1e-3 ? p.toExponential(1) : p.toPrecision(2);
}

/** Compact number for costs: 1234 → "1234", 12.345 → "12.3". */
export function quantity(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** "failed", or "failed ×2, timed-out ×1" when states mix; sorted so the text is stable. */
export function stateSummary(states: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const s of states) counts.set(s, (counts.get(s) ?? 0) + 1);
  const names = [...counts.keys()].sort();
  if (names.length === 1 && states.length === 1) return names[0];
  if (names.length === 1) return `${names[0]} ×${counts.get(names[0])}`;
  return names.map((n) => `${n} ×${counts.get(n)}`).join(', ');
}

/** Text safe inside a Markdown table cell. */
export function cellText(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

/** First line of an error message, shortened, for the list of incomplete cells. */
export function shortReason(message: string, max = 140): string {
  const line = message.split(/\r?\n/)[0].trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Signed percentage points with the interval's half-width: "+12.3 ± 1.5" (no ± for a single seed). */
export function pointsInterval(interval: MeanInterval): string {
  return interval.halfWidth === null
    ? points(interval.mean)
    : `${points(interval.mean)} ± ${(100 * interval.halfWidth).toFixed(1)}`;
}

/** A paired difference in points with the number of seeds it pairs: "+12.3 ± 1.5 (5 paired)". */
export function pairedPoints(interval: MeanInterval): string {
  return `${pointsInterval(interval)} (${interval.n} paired)`;
}
