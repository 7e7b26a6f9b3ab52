// Top-1 accuracy of a downstream probe: the share of images whose predicted class equals the true class.
type Labels = ArrayLike<number>;

export function accuracy(predicted: Labels, truth: Labels): number {
  if (predicted.length !== truth.length) {
    throw new RangeError(`accuracy: ${predicted.length} predictions for ${truth.length} labels`);
  }
  if (truth.length === 0) throw new RangeError('accuracy: no labels to score');
  let correct = 0;
  for (let i = 0; i < truth.length; i++) if (predicted[i] === truth[i]) correct++;
  return correct / truth.length;
}

/** Predicted class of each row of a row-major score matrix (first maximum wins ties, as argmax does). */
export function argmaxRows(scores: ArrayLike<number>, count: number, classes: number): Int32Array {
  if (scores.length !== count * classes) {
    throw new RangeError(`argmaxRows: ${scores.length} scores, expected ${count}×${classes}`);
  }
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (scores[i * classes + c] > scores[i * classes + best]) best = c;
    out[i] = best;
  }
  return out;
}

/**
 * Agreement (fidelity in the sense of Dziedzic et al. 2022): the share of images on which two classifiers predict
 * the same class, whatever the true class.
 */
export function agreement(a: Labels, b: Labels): number {
  if (a.length !== b.length) throw new RangeError(`agreement: ${a.length} predictions against ${b.length}`);
  if (a.length === 0) throw new RangeError('agreement: no predictions to compare');
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}
