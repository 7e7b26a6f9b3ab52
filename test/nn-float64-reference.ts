// Independent plain-JS float64 implementations of the losses, written from the formulas (not from the tfjs code),
// used by the loss tests as the reference on small random inputs and for finite-difference gradients.
export type Matrix = number[][];

const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);
const normalize = (a: number[]) => {
  const n = Math.sqrt(dot(a, a));
  return a.map((v) => v / n);
};
const logSumExp = (xs: number[]) => {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
};

export function ntXent64(a: Matrix, b: Matrix, t: number): number {
  const z = [...a, ...b].map(normalize);
  const n = a.length;
  let total = 0;
  for (let i = 0; i < 2 * n; i++) {
    const positive = i < n ? i + n : i - n;
    const others = z.map((zj, j) => (j === i ? null : dot(z[i]!, zj) / t)).filter((v): v is number => v !== null);
    total += -(dot(z[i]!, z[positive]!) / t) + logSumExp(others);
  }
  return total / (2 * n);
}

export function barlow64(z1: Matrix, z2: Matrix, lambda: number, eps: number): number {
  const n = z1.length;
  const d = z1[0]!.length;
  const standardise = (z: Matrix) => {
    const out = z.map((r) => r.slice());
    for (let k = 0; k < d; k++) {
      const mean = z.reduce((s, r) => s + r[k]!, 0) / n;
      const variance = z.reduce((s, r) => s + (r[k]! - mean) ** 2, 0) / n;
      for (let i = 0; i < n; i++) out[i]![k] = (z[i]![k]! - mean) / Math.sqrt(variance + eps);
    }
    return out;
  };
  const a = standardise(z1);
  const b = standardise(z2);
  let loss = 0;
  for (let p = 0; p < d; p++) {
    for (let q = 0; q < d; q++) {
      let c = 0;
      for (let i = 0; i < n; i++) c += a[i]![p]! * b[i]![q]!;
      c /= n;
      loss += p === q ? (1 - c) ** 2 : lambda * c * c;
    }
  }
  return loss;
}

export function softNn64(stolen: Matrix, victim: Matrix, t: number): number {
  const x = [...stolen, ...victim];
  const n = stolen.length;
  const sq = (u: number[], v: number[]) => u.reduce((s, ui, k) => s + (ui - v[k]!) ** 2, 0);
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    let same = 0;
    let all = 0;
    for (let j = 0; j < x.length; j++) {
      if (j === i) continue;
      const k = Math.exp(-sq(x[i]!, x[j]!) / t);
      all += k;
      if (j % n === i % n) same += k;
    }
    total += Math.log(1e-9 + same / all);
  }
  return -total / x.length;
}

export function supCon64(stolen: Matrix, victim: Matrix, labels: number[], t: number, tBase: number): number {
  const z = [...stolen, ...victim].map(normalize);
  const n = stolen.length;
  let total = 0;
  for (let i = 0; i < 2 * n; i++) {
    const denominator = logSumExp(z.flatMap((zj, j) => (j === i ? [] : [dot(z[i]!, zj) / t])));
    let sum = 0;
    let count = 0;
    for (let p = 0; p < 2 * n; p++) {
      if (p === i || labels[p % n] !== labels[i % n]) continue;
      sum += dot(z[i]!, z[p]!) / t - denominator;
      count++;
    }
    total += sum / count;
  }
  return (-(t / tBase) * total) / (2 * n);
}

export function wasserstein64(stolen: Matrix, victim: Matrix): number {
  const cdf = (r: number[]) => {
    const m = Math.max(...r);
    const e = r.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    let acc = 0;
    return e.map((v) => (acc += v / s));
  };
  return (
    stolen.reduce((total, r, i) => total + cdf(r).reduce((s, c, k) => s + Math.abs(c - cdf(victim[i]!)[k]!), 0), 0) /
    stolen.length
  );
}

/** Central finite differences of f at x, in float64. */
export function numericGradient(f: (x: Matrix) => number, x: Matrix, h = 1e-6): Matrix {
  return x.map((row, i) =>
    row.map((_, k) => {
      const plus = x.map((r) => r.slice());
      const minus = x.map((r) => r.slice());
      plus[i]![k]! += h;
      minus[i]![k]! -= h;
      return (f(plus) - f(minus)) / (2 * h);
    }),
  );
}
