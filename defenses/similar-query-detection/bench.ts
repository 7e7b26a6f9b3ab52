// Micro-benchmark of the similar-query history search: time of one nearest-neighbour lookup at history sizes
// 1k / 10k / 50k, HNSW index versus exact linear scan, with the index's recall measured against the scan.
// Run: npx tsx defenses/similar-query-detection/bench.ts [--dim 64] [--sizes 1000,10000,50000] [--metric cosine]
// Data: clustered vectors (200 centres N(0, I), points = centre + 0.5·N(0, I)), a stand-in for projections of
// natural images; queries are fresh points from the same mixture (not duplicates: those are answered by the exact
// map in O(1)), and near copies (stored point + 1% noise), the case the defense exists for.
import { Bench } from 'tinybench';
import { QueryHistory } from './history.ts';
import type { Metric } from './hnsw.ts';
import { createRng } from '../../benchmark/index.ts';

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1]! : fallback;
}
const dim = Number(arg('dim', '64'));
const sizes = arg('sizes', '1000,10000,50000').split(',').map(Number);
const metric = arg('metric', 'cosine') as Metric;

const rng = createRng(2026);
const centres = Array.from({ length: 200 }, () => Float32Array.from({ length: dim }, () => rng.normal()));
const samplePoint = () => {
  const c = centres[rng.int(0, centres.length - 1)]!;
  return c.map((x) => x + 0.5 * rng.normal());
};

const rows: string[] = [];
for (const size of sizes) {
  const history = new QueryHistory(dim, metric, { scanLimit: 0, M: 16, efConstruction: 100, efSearch: 64, seed: 1 });
  const points = Array.from({ length: size }, samplePoint);
  const t0 = performance.now();
  for (const p of points) history.add(p);
  const buildMs = performance.now() - t0;
  const queries = Array.from({ length: 256 }, samplePoint);
  const copies = Array.from({ length: 256 }, () => points[rng.int(0, size - 1)]!.map((x) => x + 0.01 * rng.normal()));
  // Recall: the index's answer is the scan's nearest (fresh queries) / at least as close as the original (copies).
  let fresh = 0;
  let near = 0;
  for (const q of queries) if (history.nearest(q)!.index === history.scan(q)!.index) fresh++;
  for (const q of copies) if (history.nearest(q)!.distance <= history.scan(q)!.distance + 1e-6) near++;
  let i = 0;
  const bench = new Bench({ time: 1000, warmupTime: 100 });
  bench.add('index', () => void history.nearest(queries[i++ % queries.length]!));
  bench.add('scan', () => void history.scan(queries[i++ % queries.length]!));
  await bench.run();
  const mean = (name: string) => {
    const r = bench.tasks.find((t) => t.name === name)!.result;
    return 'latency' in r ? r.latency.mean : NaN;
  };
  rows.push(
    `| ${size} | ${mean('index').toFixed(3)} | ${mean('scan').toFixed(3)} | ` +
      `${(mean('scan') / mean('index')).toFixed(1)}× | ` +
      (`${((100 * fresh) / queries.length).toFixed(1)}% | ${((100 * near) / copies.length).toFixed(1)}% ` +
        `| ${(buildMs / size).toFixed(3)} |`),
  );
  console.error(`size ${size} done`);
}
console.log(`metric ${metric}, dim ${dim}, HNSW M=16 efConstruction=100 efSearch=64, Node ${process.version}\n`);
console.log(
  '| history size | index lookup (ms) | scan lookup (ms) | speed-up | ' +
    'recall@1, fresh queries | near copies found | insert (ms/entry) |',
);
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const row of rows) console.log(row);
