// One account's query history for similar-query detection: the feature vectors (projections or representations) of
// every earlier query, searchable for the nearest one.
//  - Exact duplicates are always found: a map from each vector's bytes to its index answers them at distance 0.
//  - Up to `scanLimit` entries the search is an exact linear scan.
//  - Beyond, an HNSW graph (hnsw.ts) answers in roughly logarithmic time; it may return a neighbour farther than the
//    true nearest one, so a near (non-identical) copy can be missed: recall is measured in bench.ts and README.md.
import { Hnsw, type Metric } from './hnsw.ts';

export interface HistoryOptions {
  scanLimit: number;
  M: number;
  efConstruction: number;
  efSearch: number;
  seed: number;
}

export interface Nearest {
  index: number;
  /** 1 − cosine similarity for 'cosine'; Euclidean distance for 'l2'. */
  distance: number;
}

function norm(v: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  return Math.sqrt(sum);
}

export class QueryHistory {
  private store: Float32Array;
  private norms: number[] = [];
  private readonly exact = new Map<string, number>();
  private index: Hnsw | null = null;

  constructor(
    readonly dim: number,
    readonly metric: Metric,
    private readonly options: HistoryOptions,
  ) {
    this.store = new Float32Array(dim * 64);
  }

  get size(): number {
    return this.norms.length;
  }

  /** Whether searches now go through the HNSW index rather than a scan. */
  get indexed(): boolean {
    return this.index !== null;
  }

  private key(v: Float32Array): string {
    return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  }

  nearest(v: Float32Array): Nearest | null {
    if (this.size === 0) return null;
    const duplicate = this.exact.get(this.key(v));
    if (duplicate !== undefined) return { index: duplicate, distance: 0 };
    if (this.index) {
      const found = this.index.nearest(v);
      return found && { index: found.id, distance: found.distance };
    }
    return this.scan(v);
  }

  /** Exact nearest neighbour by linear scan (also the reference the benchmark compares the index against). */
  scan(v: Float32Array): Nearest | null {
    let best: Nearest | null = null;
    const vNorm = norm(v);
    for (let r = 0; r < this.size; r++) {
      const distance = this.distanceAt(v, vNorm, r);
      if (!best || distance < best.distance) best = { index: r, distance };
    }
    return best;
  }

  /**
   * Exact distance to the nearest of the last `windows[k]` entries, for each window, by one backward scan (Infinity
   * when the history is empty). A detector that searches a fixed window flags at a rate that does not grow with the
   * account's age (issue 12.3).
   */
  nearestInWindows(v: Float32Array, windows: readonly number[]): number[] {
    const order = windows.map((w, k) => [w, k] as const).sort((a, b) => a[0] - b[0]);
    const result = new Array<number>(windows.length).fill(Infinity);
    const vNorm = norm(v);
    let best = Infinity;
    let seen = 0;
    for (const [w, k] of order) {
      for (; seen < Math.min(w, this.size); seen++)
        best = Math.min(best, this.distanceAt(v, vNorm, this.size - 1 - seen));
      result[k] = best;
    }
    return result;
  }

  /** Distance from `v` to the entry at `index` (pairwise rates). */
  distanceTo(v: Float32Array, index: number): number {
    if (index < 0 || index >= this.size)
      throw new RangeError(`QueryHistory.distanceTo: index ${index} outside 0..${this.size - 1}`);
    return this.distanceAt(v, norm(v), index);
  }

  private distanceAt(v: Float32Array, vNorm: number, r: number): number {
    const base = r * this.dim;
    let acc = 0;
    if (this.metric === 'cosine') {
      for (let i = 0; i < this.dim; i++) acc += v[i]! * this.store[base + i]!;
      const denom = vNorm * this.norms[r]!;
      return 1 - (denom > 0 ? acc / denom : 0);
    }
    for (let i = 0; i < this.dim; i++) acc += (v[i]! - this.store[base + i]!) ** 2;
    return Math.sqrt(acc);
  }

  add(v: Float32Array): void {
    if (v.length !== this.dim)
      throw new RangeError(`QueryHistory.add: vector has length ${v.length}, expected ${this.dim}`);
    const id = this.size;
    if (this.store.length < (id + 1) * this.dim) {
      const grown = new Float32Array(this.store.length * 2);
      grown.set(this.store);
      this.store = grown;
    }
    this.store.set(v, id * this.dim);
    let norm = 0;
    for (let i = 0; i < this.dim; i++) norm += v[i]! * v[i]!;
    this.norms.push(Math.sqrt(norm));
    const key = this.key(v);
    if (!this.exact.has(key)) this.exact.set(key, id);
    if (this.index) {
      this.index.add(v);
    } else if (this.size > this.options.scanLimit) {
      // Past the scan limit: build the index once over everything so far, then keep it up to date.
      const { M, efConstruction, efSearch, seed } = this.options;
      this.index = new Hnsw(this.dim, this.metric, { M, efConstruction, efSearch, seed });
      for (let r = 0; r < this.size; r++) this.index.add(this.store.subarray(r * this.dim, (r + 1) * this.dim));
    }
  }
}
