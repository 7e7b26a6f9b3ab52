import { createRng, type Rng } from '../../benchmark/index.ts';

export type Metric = 'cosine' | 'l2';

export interface HnswOptions {
  /** Links per node on the upper layers (2M on layer 0). */
  M?: number;
  /** Candidate list size while inserting. */
  efConstruction?: number;
  /** Candidate list size while searching. */
  efSearch?: number;
  seed?: number;
}

interface Scored {
  id: number;
  d: number;
}

/** Binary heap over Scored; `max` orders the largest distance first. */
class Heap {
  private items: Scored[] = [];
  constructor(private readonly max: boolean) {}
  get size(): number {
    return this.items.length;
  }
  peek(): Scored | undefined {
    return this.items[0];
  }
  private before(a: Scored, b: Scored): boolean {
    return this.max ? a.d > b.d : a.d < b.d;
  }
  push(item: Scored): void {
    const a = this.items;
    a.push(item);
    for (let i = a.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!this.before(a[i]!, a[parent]!)) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }
  pop(): Scored | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < a.length && this.before(a[l]!, a[best]!)) best = l;
        if (r < a.length && this.before(a[r]!, a[best]!)) best = r;
        if (best === i) break;
        [a[i], a[best]] = [a[best]!, a[i]!];
        i = best;
      }
    }
    return top;
  }
  toArray(): Scored[] {
    return this.items.slice();
  }
}

export class Hnsw {
  readonly dim: number;
  readonly metric: Metric;
  private readonly M: number;
  private readonly efConstruction: number;
  private readonly efSearch: number;
  private readonly levelFactor: number;
  private readonly rng: Rng;
  /** Stored vectors (unit length for cosine), row-major, grown by doubling. */
  private store: Float32Array;
  private count = 0;
  /** links[node][level] = neighbour ids. */
  private readonly links: number[][][] = [];
  private entry = -1;
  private topLevel = -1;
  private visited = new Uint32Array(0);
  private stamp = 0;

  constructor(dim: number, metric: Metric, options: HnswOptions = {}) {
    this.dim = dim;
    this.metric = metric;
    this.M = options.M ?? 16;
    this.efConstruction = options.efConstruction ?? 100;
    this.efSearch = options.efSearch ?? 64;
    this.levelFactor = 1 / Math.log(this.M);
    this.rng = createRng(options.seed ?? 0);
    this.store = new Float32Array(dim * 64);
  }

  get size(): number {
    return this.count;
  }

  /** Internal distance: 1 − cos for cosine (stored unit vectors), squared L2 for l2 (monotone in L2). */
  private distTo(q: Float32Array, id: number): number {
    const s = this.store;
    const base = id * this.dim;
    let acc = 0;
    if (this.metric === 'cosine') {
      for (let i = 0; i < this.dim; i++) acc += q[i]! * s[base + i]!;
      return 1 - acc;
    }
    for (let i = 0; i < this.dim; i++) {
      const diff = q[i]! - s[base + i]!;
      acc += diff * diff;
    }
    return acc;
  }

  private vector(id: number): Float32Array {
    return this.store.subarray(id * this.dim, (id + 1) * this.dim);
  }

  private prepare(v: Float32Array): Float32Array {
    const q = Float32Array.from(v);
    if (this.metric === 'cosine') {
      let norm = 0;
      for (let i = 0; i < q.length; i++) norm += q[i]! * q[i]!;
      norm = Math.sqrt(norm);
      if (norm > 0) for (let i = 0; i < q.length; i++) q[i]! /= norm;
    }
    return q;
  }

  /** Best `ef` nodes reachable on `level` from the entry points, nearest first. */
  private searchLayer(q: Float32Array, entries: Scored[], ef: number, level: number): Scored[] {
    if (this.visited.length < this.count) this.visited = new Uint32Array(this.store.length / this.dim);
    if (++this.stamp === 0xffffffff) {
      this.visited.fill(0);
      this.stamp = 1;
    }
    const candidates = new Heap(false);
    const best = new Heap(true);
    for (const e of entries) {
      this.visited[e.id] = this.stamp;
      candidates.push(e);
      best.push(e);
    }
    while (candidates.size > 0) {
      const current = candidates.pop()!;
      if (current.d > best.peek()!.d && best.size >= ef) break;
      for (const n of this.links[current.id]![level] ?? []) {
        if (this.visited[n] === this.stamp) continue;
        this.visited[n] = this.stamp;
        const d = this.distTo(q, n);
        if (best.size < ef || d < best.peek()!.d) {
          candidates.push({ id: n, d });
          best.push({ id: n, d });
          if (best.size > ef) best.pop();
        }
      }
    }
    return best.toArray().sort((a, b) => a.d - b.d);
  }

  /** Malkov & Yashunin's neighbour heuristic: keep a candidate only if it is nearer to the base than to any kept one.
   * */
  private selectNeighbours(sorted: Scored[], max: number): number[] {
    const kept: number[] = [];
    for (const c of sorted) {
      if (kept.length >= max) break;
      const cv = this.vector(c.id);
      if (kept.every((k) => this.distTo(cv, k) >= c.d)) kept.push(c.id);
    }
    return kept;
  }

  private descend(q: Float32Array, toLevel: number): Scored {
    let ep: Scored = { id: this.entry, d: this.distTo(q, this.entry) };
    for (let level = this.topLevel; level > toLevel; level--) ep = this.searchLayer(q, [ep], 1, level)[0]!;
    return ep;
  }

  /** Insert a vector; returns its id (0, 1, 2... in insertion order). */
  add(v: Float32Array): number {
    if (v.length !== this.dim) throw new RangeError(`Hnsw.add: vector has length ${v.length}, expected ${this.dim}`);
    const q = this.prepare(v);
    const id = this.count++;
    if (this.store.length < this.count * this.dim) {
      const grown = new Float32Array(this.store.length * 2);
      grown.set(this.store);
      this.store = grown;
    }
    this.store.set(q, id * this.dim);
    const level = Math.floor(-Math.log(1 - this.rng.next()) * this.levelFactor);
    this.links.push(Array.from({ length: level + 1 }, () => []));
    if (this.entry < 0) {
      this.entry = id;
      this.topLevel = level;
      return id;
    }
    let entries = [this.descend(q, level)];
    for (let l = Math.min(level, this.topLevel); l >= 0; l--) {
      const found = this.searchLayer(q, entries, this.efConstruction, l);
      const maxLinks = l === 0 ? 2 * this.M : this.M;
      const chosen = this.selectNeighbours(found, this.M);
      this.links[id]![l] = chosen;
      for (const n of chosen) {
        const theirs = this.links[n]![l]!;
        theirs.push(id);
        if (theirs.length > maxLinks) {
          const nv = this.vector(n);
          const scored = theirs.map((m) => ({ id: m, d: this.distTo(nv, m) })).sort((a, b) => a.d - b.d);
          this.links[n]![l] = this.selectNeighbours(scored, maxLinks);
        }
      }
      entries = found;
    }
    if (level > this.topLevel) {
      this.topLevel = level;
      this.entry = id;
    }
    return id;
  }

  /** Approximate nearest stored vector: its id and its distance (1 − cos, or Euclidean), or null when empty. */
  nearest(v: Float32Array): { id: number; distance: number } | null {
    if (this.count === 0) return null;
    const q = this.prepare(v);
    const ep = this.descend(q, 0);
    const best = this.searchLayer(q, [ep], Math.max(1, this.efSearch), 0)[0]!;
    return { id: best.id, distance: this.metric === 'l2' ? Math.sqrt(Math.max(0, best.d)) : best.d };
  }
}
