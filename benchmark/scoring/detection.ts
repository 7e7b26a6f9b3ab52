// Detection rates of a flagging defense, from its flags and the ground truth of who is an attacker (or which
// queries are the attacker's). Positive = attacker. FPR is the share of legitimate items flagged; FNR the share of
// attacker items missed. A rate with no items to count is null, never 0: "no legitimate accounts" is not "no false flags".

export interface DetectionRates {
  truePositives: number;
  falsePositives: number;
  trueNegatives: number;
  falseNegatives: number;
  /** FP / (FP + TN); null when there are no negatives. */
  falsePositiveRate: number | null;
  /** FN / (FN + TP); null when there are no positives. */
  falseNegativeRate: number | null;
}

export function detectionRates(flagged: ArrayLike<boolean>, isAttacker: ArrayLike<boolean>): DetectionRates {
  if (flagged.length !== isAttacker.length) {
    throw new RangeError(`detectionRates: ${flagged.length} flags for ${isAttacker.length} ground-truth labels`);
  }
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < flagged.length; i++) {
    if (isAttacker[i]) flagged[i] ? tp++ : fn++;
    else flagged[i] ? fp++ : tn++;
  }
  return {
    truePositives: tp,
    falsePositives: fp,
    trueNegatives: tn,
    falseNegatives: fn,
    falsePositiveRate: fp + tn === 0 ? null : fp / (fp + tn),
    falseNegativeRate: fn + tp === 0 ? null : fn / (fn + tp),
  };
}
