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
    let vNorm = 0;
    for (let i = 0; i < this.dim; i++) vNorm += v[i]! * v[i]!;
    vNorm = Math.sqrt(vNorm);
    for (let r = 0; r < this.size; r++) {
      const base = r * this.dim;
      let acc = 0;
      if (this.metric === 'cosine') {
        for (let i = 0; i < this.dim; i++) acc += v[i]! * this.store[base + i]!;
        const denom = vNorm * this.norms[r]!;
        acc = 1 - (denom > 0 ? acc / denom : 0);
      } else {
        for (let i = 0; i < this.dim; i++) acc += (v[i]! - this.store[base + i]!) ** 2;
        acc = Math.sqrt(acc);
      }
      if (!best || acc < best.distance) best = { index: r, distance: acc };
    }
    return best;
  }

  add(v: Float32Array): void {
    if (v.length !== this.dim) throw new RangeError(`QueryHistory.add: vector has length ${v.length}, expected ${this.dim}`);
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
