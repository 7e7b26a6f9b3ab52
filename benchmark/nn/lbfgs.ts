// Limited-memory BFGS (Nocedal & Wright, "Numerical Optimization", algorithms 7.4 and 7.5) for smooth convex
// objectives, in float64. Written here because no maintained npm package offers L-BFGS on typed arrays: `fmin`
// (2016) has only conjugate gradient and Nelder–Mead, `numeric` (2012) keeps a dense n×n inverse Hessian (490 MB for
// a 784-pixel, 10-class probe), `optimization-js` is a one-author package with a few thousand downloads a month.
// The probe's objective is strictly convex (softmax cross-entropy plus L2), so a backtracking Armijo line search is
// enough: the curvature condition sᵀy > 0 holds for every step, and updates that would break it are skipped anyway.

/** Writes the gradient at `x` into `gradient` and returns the objective's value. */
export type Objective = (x: Float64Array, gradient: Float64Array) => number;

export interface LbfgsOptions {
  /** Stop when the largest absolute gradient entry is below this. */
  gradientTolerance: number;
  /** Stop when an iteration lowers the objective by less than this fraction of its value. */
  relativeTolerance: number;
  maxIterations: number;
  /** Correction pairs kept (m). */
  memory: number;
}

export const DEFAULT_LBFGS_OPTIONS: Readonly<LbfgsOptions> = Object.freeze({
  gradientTolerance: 1e-6,
  relativeTolerance: 1e-12,
  maxIterations: 1000,
  memory: 10,
});

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
  /** Objective evaluations, line-search trials included. */
  evaluations: number;
  reason: 'gradient' | 'relative-decrease' | 'max-iterations' | 'line-search';
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** Minimises `objective` from `start` (not modified). Deterministic: the same inputs give the same bits. */
export function minimizeLbfgs(
  objective: Objective,
  start: Float64Array,
  options: Partial<LbfgsOptions> = {},
): LbfgsResult {
  const o: LbfgsOptions = { ...DEFAULT_LBFGS_OPTIONS, ...options };
  if (!(o.memory >= 1) || !(o.maxIterations >= 0))
    throw new Error(`minimizeLbfgs: memory must be ≥ 1 and maxIterations ≥ 0`);
  const n = start.length;
  let x = Float64Array.from(start);
  let g = new Float64Array(n);
  let f = objective(x, g);
  let evaluations = 1;
  if (!Number.isFinite(f)) throw new Error(`minimizeLbfgs: the objective is ${f} at the starting point`);
  const s: Float64Array[] = [];
  const y: Float64Array[] = [];
  const rho: number[] = [];
  const alpha = new Float64Array(o.memory);
  const direction = new Float64Array(n);
  let xNext = new Float64Array(n);
  let gNext = new Float64Array(n);
  for (let iteration = 0; iteration < o.maxIterations; iteration++) {
    if (maxAbs(g) < o.gradientTolerance) return { x, value: f, iterations: iteration, evaluations, reason: 'gradient' };
    // Two-loop recursion: direction = -H·g with H the L-BFGS inverse-Hessian approximation.
    for (let i = 0; i < n; i++) direction[i] = -g[i]!;
    for (let j = s.length - 1; j >= 0; j--) {
      alpha[j] = rho[j]! * dot(s[j]!, direction);
      const yj = y[j]!;
      for (let i = 0; i < n; i++) direction[i]! -= alpha[j]! * yj[i]!;
    }
    // Initial scaling γ = sᵀy / yᵀy of the newest pair; on the first step, a unit-length step along -g.
    const gamma =
      s.length > 0 ? 1 / (rho[s.length - 1]! * dot(y[s.length - 1]!, y[s.length - 1]!)) : 1 / Math.sqrt(dot(g, g));
    for (let i = 0; i < n; i++) direction[i]! *= gamma;
    for (let j = 0; j < s.length; j++) {
      const beta = rho[j]! * dot(y[j]!, direction);
      const sj = s[j]!;
      for (let i = 0; i < n; i++) direction[i]! += (alpha[j]! - beta) * sj[i]!;
    }
    let slope = dot(g, direction);
    if (!(slope < 0)) {
      // Not a descent direction (rounding): restart from steepest descent.
      s.length = 0;
      y.length = 0;
      rho.length = 0;
      const norm = Math.sqrt(dot(g, g));
      for (let i = 0; i < n; i++) direction[i] = -g[i]! / norm;
      slope = dot(g, direction);
    }
    // Backtracking Armijo search (c1 = 1e-4), halving the step.
    let step = 1;
    let fNext = Infinity;
    let accepted = false;
    for (let trial = 0; trial < 60; trial++) {
      for (let i = 0; i < n; i++) xNext[i] = x[i]! + step * direction[i]!;
      fNext = objective(xNext, gNext);
      evaluations++;
      if (Number.isFinite(fNext) && fNext <= f + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      step /= 2;
    }
    if (!accepted) return { x, value: f, iterations: iteration, evaluations, reason: 'line-search' };
    const sNew = new Float64Array(n);
    const yNew = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      sNew[i] = xNext[i]! - x[i]!;
      yNew[i] = gNext[i]! - g[i]!;
    }
    const sy = dot(sNew, yNew);
    if (sy > 1e-12 * Math.sqrt(dot(sNew, sNew) * dot(yNew, yNew))) {
      if (s.length === o.memory) {
        s.shift();
        y.shift();
        rho.shift();
      }
      s.push(sNew);
      y.push(yNew);
      rho.push(1 / sy);
    }
    const decrease = f - fNext;
    [x, xNext] = [xNext, x];
    [g, gNext] = [gNext, g];
    f = fNext;
    if (decrease <= o.relativeTolerance * Math.max(1, Math.abs(f))) {
      return { x, value: f, iterations: iteration + 1, evaluations, reason: 'relative-decrease' };
    }
  }
  return { x, value: f, iterations: o.maxIterations, evaluations, reason: 'max-iterations' };
}
