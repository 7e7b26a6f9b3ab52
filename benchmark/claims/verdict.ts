// The rule that turns a measured interval into a verdict on a paper finding. Stated once here and printed with the
// table (RULE), so the text and the code cannot drift apart.
import type { MeanInterval } from '../scoring/stats.ts';

export type Verdict = 'reproduced' | 'contradicted' | 'inconclusive' | 'not measured';

/** Which side of the threshold the paper's finding lies on. */
export type PaperSide = 'above' | 'below';

export const RULE = [
  'Verdict rule: each finding is a quantity with a threshold (zero unless the row says otherwise) and the side of it',
  'the paper reports. Ours is the mean of that quantity over seeds with its 95% Student t interval; where it compares',
  'two cells, they are paired seed by seed (same attack, budget and seed). **Reproduced**: the whole interval lies on',
  "the paper's side of the threshold. **Contradicted**: the whole interval lies on the other side. **Inconclusive**:",
  'the interval contains the threshold, or only one seed was measured (no interval). **Not measured**: the records',
  'needed are absent; the row names the config that would measure it.',
].join('\n');

export function verdictOf(interval: MeanInterval | null, side: PaperSide, threshold = 0): Verdict {
  if (!interval) return 'not measured';
  if (interval.low === null || interval.high === null) return 'inconclusive';
  const above = interval.low > threshold;
  const below = interval.high < threshold;
  if (side === 'above') return above ? 'reproduced' : below ? 'contradicted' : 'inconclusive';
  return below ? 'reproduced' : above ? 'contradicted' : 'inconclusive';
}
