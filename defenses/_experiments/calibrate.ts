// Calibrates `proof-of-work` and `b4b` on our victim: replays legitimate and attacker workloads through the shipped
// guards (one account each, one guard per defense, as in a cell) and prints, per account, what each defense measured
// and charged:
//   proof-of-work: bucket entropy H (bits), highest difficulty, hashes (solved + estimated), seconds;
//   b4b:           coverage (fraction of buckets hit), σ(c) at the end, and the noise actually added (RMS per
//                  coordinate, measured with transform 'none' so answer − clean is the noise), relative to the
//                  representation's own RMS per coordinate.
// Workloads (seeded): legitimate users send distinct probe-train images (500, 1000, and 1500 = the cell's
// 1000 training + 500 test images); attackers send distinct attacker-pool images (1000, 2000, 4000 = spread
// over the pool) or 1000 images × 2 simclrGray views (augmented repeats, what InfoNCE stealing sends).
//
//   npx tsx defenses/_experiments/calibrate.ts                                # the plugins' defaults
//   npx tsx defenses/_experiments/calibrate.ts --pow '{"legitimateBits":8}' --b4b '{"alpha":0.5}'
//   npx tsx defenses/_experiments/calibrate.ts --write                        # splice into the READMEs
import { markdownTable } from 'markdown-table';
import { deriveSeed, initEngine, type Guard, type ImageBatch } from '../../benchmark/index.ts';
import {
  experimentCommand,
  integerList,
  jsonObject,
  resolveOptions,
  runIfMain,
  spliceIntoFile,
} from '../../benchmark/testkit/index.ts';
import b4b, { b4bSigma, type B4bOptions } from '../b4b/index.ts';
import proofOfWork from '../proof-of-work/index.ts';
import {
  augmentedPairsWorkload,
  distinctWorkload,
  loadExperimentVictim,
  replay,
  seededSample,
  WORKLOAD_SPLITS,
  type Workload,
} from './workloads.ts';

export interface CalibrateArgs {
  seed: number;
  seeds: number[];
  pow: Record<string, unknown>;
  b4b: Record<string, unknown>;
  victim: string;
  write: boolean;
}

/** The legitimate entropy profile a proof-of-work guard charges against, from its figures (never from its log). */
export function legitimateProfileOf(guard: Pick<Guard, 'figures'>): number {
  const bits = guard.figures?.().legitimateProfileBits;
  if (typeof bits !== 'number' || !Number.isFinite(bits)) {
    throw new Error('calibrate: the proof-of-work guard reports no finite legitimateProfileBits in figures()');
  }
  return bits;
}

async function calibrate(args: CalibrateArgs): Promise<void> {
  const { seed, seeds, pow: powRaw, b4b: b4bRaw } = args;
  const log = (m: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${m}`);

  const engine = await initEngine({ backend: 'wasm' });
  const { victim, deployment, weightsSha256 } = await loadExperimentVictim(args.victim, log);

  function concat(a: ImageBatch, b: ImageBatch): ImageBatch {
    const data = new Float32Array(a.data.length + b.data.length);
    data.set(a.data);
    data.set(b.data, a.data.length);
    return { ...a, data, count: a.count + b.count };
  }

  const probeTrain = await seededSample(WORKLOAD_SPLITS.legitimateTrain, 1000, deriveSeed(seed, 'legit-train'));
  const probeTest = await seededSample(WORKLOAD_SPLITS.legitimateTest, 500, deriveSeed(seed, 'legit-test'));
  const pool = await seededSample(WORKLOAD_SPLITS.attackerPool, 4000, deriveSeed(seed, 'attacker-pool'));
  const prefix = (set: ImageBatch, n: number): ImageBatch => ({
    ...set,
    data: set.data.subarray(0, n * set.height * set.width * set.channels),
    count: n,
  });
  const workloads: { account: string; kind: 'legitimate' | 'attacker'; workload: Workload }[] = [
    {
      account: 'legitimate, 500 distinct',
      kind: 'legitimate',
      workload: await distinctWorkload('legit-500', prefix(probeTrain, 500), deployment),
    },
    {
      account: 'legitimate, 1000 distinct',
      kind: 'legitimate',
      workload: await distinctWorkload('legit-1000', probeTrain, deployment),
    },
    {
      account: 'legitimate, 1500 (cell: 1000 train + 500 test)',
      kind: 'legitimate',
      workload: await distinctWorkload('legit-1500', concat(probeTrain, probeTest), deployment),
    },
    {
      account: 'attacker, 1000 spread over the pool',
      kind: 'attacker',
      workload: await distinctWorkload('spread-1000', prefix(pool, 1000), deployment),
    },
    {
      account: 'attacker, 2000 spread over the pool',
      kind: 'attacker',
      workload: await distinctWorkload('spread-2000', prefix(pool, 2000), deployment),
    },
    {
      account: 'attacker, 4000 spread over the pool',
      kind: 'attacker',
      workload: await distinctWorkload('spread-4000', pool, deployment),
    },
    {
      account: 'attacker, 1000 images × 2 augmented views',
      kind: 'attacker',
      workload: await augmentedPairsWorkload('pairs-2000', prefix(pool, 1000), deployment, deriveSeed(seed, 'views')),
    },
  ];
  log('workloads encoded');

  // ---- proof-of-work
  const powOptions = resolveOptions('defense', proofOfWork, powRaw) as Record<string, unknown>;
  /** Replays every workload through one proof-of-work guard; the profile is what the guard used (calibrated or set). */
  async function replayProofOfWork(guardSeed: number) {
    const runs = await replay(proofOfWork, powRaw, deployment, workloads, guardSeed, victim.recipe.data);
    const guard = runs.values().next().value!.guard;
    const report = new Map(guard.report!().map((r) => [r.account, r]));
    return { runs, report, profile: legitimateProfileOf(guard) };
  }
  const { runs: powRuns, report: powReport, profile: powProfile } = await replayProofOfWork(seed);
  const powRows = workloads.map(({ account, workload }) => {
    const run = powRuns.get(account)!;
    const entropy = powReport.get(account)!.score! + powProfile;
    return [
      account,
      String(workload.images.count),
      entropy.toFixed(2),
      String(run.maxBits),
      run.hashes.toExponential(2),
      run.estimatedHashes > 0 ? run.estimatedHashes.toExponential(2) : '0',
      run.seconds.toFixed(2),
      (run.hashes / workload.images.count).toFixed(0),
      powReport.get(account)!.flagged ? 'yes' : 'no',
    ];
  });
  log('proof-of-work replayed');
  // The same workloads under other seeds' hyperplanes: is the verdict a property of the traffic or of one seed's
  // planes?
  const seedRows: string[][] = [];
  for (const other of seeds) {
    const { report, profile } =
      other === seed ? { report: powReport, profile: powProfile } : await replayProofOfWork(other);
    const cell = (account: string) =>
      `${(report.get(account)!.score! + profile).toFixed(2)}${report.get(account)!.flagged ? ' (flagged)' : ''}`;
    seedRows.push([String(other), profile.toFixed(2), ...workloads.map(({ account }) => cell(account))]);
  }
  log('proof-of-work replayed under every seed');

  // ---- b4b (noise measured with transform 'none'; the transform is an isometry and does not change the noise)
  const b4bOptions = resolveOptions('defense', b4b, b4bRaw) as unknown as B4bOptions;
  const b4bRuns = await replay(b4b, { ...b4bRaw, transform: 'none' }, deployment, workloads, seed, victim.recipe.data);
  const b4bReport = new Map(b4bRuns.values().next().value!.guard.report!().map((r) => [r.account, r]));
  const rms = (xs: Float32Array) => Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / xs.length);
  const b4bRows = workloads.map(({ account, workload }) => {
    const run = b4bRuns.get(account)!;
    const coverage = b4bReport.get(account)!.score!;
    const diff = run.answers.map((v, i) => v - workload.reps.data[i]!);
    const signal = rms(workload.reps.data);
    const noise = rms(diff);
    return [
      account,
      String(workload.images.count),
      coverage.toFixed(3),
      b4bSigma(coverage, b4bOptions).toPrecision(3),
      noise.toPrecision(3),
      signal.toFixed(3),
      (noise / signal).toFixed(3),
      b4bReport.get(account)!.flagged ? 'yes' : 'no',
    ];
  });
  log('b4b replayed');

  const opts = (o: Record<string, unknown>, keys: string[]) =>
    keys.map((k) => `${k} ${JSON.stringify(o[k])}`).join(', ');
  const header =
    `Victim \`${victim.id}\` (${victim.source} weights), recipe hash \`${victim.hash.slice(0, 16)}\`, ` +
    `weights.bin sha256 \`${weightsSha256.slice(0, 16)}\`; backend ${engine.backend}, ` +
    `Node ${process.version}, seed ${seed}. One account per row, all ` +
    `through one guard.`;
  const json = (o: Record<string, unknown>) => JSON.stringify(o);
  const command = `npx tsx defenses/_experiments/calibrate.ts${Object.keys(powRaw).length ? ` --pow '${json(powRaw)}'` : ''}${Object.keys(b4bRaw).length ? ` --b4b '${json(b4bRaw)}'` : ''}${seed !== 1 ? ` --seed ${seed}` : ''}${seeds.join(',') !== '1,2,3,4,5' ? ` --seeds ${seeds.join(',')}` : ''}`;
  const powBody = [
    `Command: \`${command}\`. ${header}`,
    `Options: ${opts(powOptions, ['hyperplanes', 'center', 'legitimateBits', 'calibrationQueries', 'marginBits', 'baseBits', 'maxBits', 'scale', 'solveCapBits'])}; the legitimate profile the guard used: ${powProfile.toFixed(3)} ` +
      `bits.`,
    '',
    markdownTable(
      [
        [
          'account',
          'queries',
          'bucket entropy H (bits)',
          'highest difficulty (bits)',
          'hashes (total)',
          'of which estimated',
          'seconds (solved + estimated)',
          'hashes / query',
          'flagged',
        ],
        ...powRows,
      ],
      { align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'] },
    ),
    '',
    `Bucket entropy H (bits) of the same workloads under the hyperplanes of ` +
      `other guard seeds (a cell's seed picks them), with the profile each ` +
      `guard set:`,
    '',
    markdownTable([['seed', 'profile (bits)', ...workloads.map(({ account }) => account)], ...seedRows], {
      align: ['r', 'r', ...workloads.map(() => 'r' as const)],
    }),
  ].join('\n');
  const b4bBody = [
    `Command: \`${command}\`. ${header}`,
    `Options: ${opts(b4bOptions as unknown as Record<string, unknown>, ['hyperplanes', 'center', 'lambda', 'alpha', 'beta'])} ` +
      `(noise measured with transform none).`,
    '',
    markdownTable(
      [
        [
          'account',
          'queries',
          'coverage c',
          'σ(c) at the end',
          'noise RMS / coordinate (measured, whole session)',
          'representation RMS / coordinate',
          'noise / signal',
          'c ≥ β',
        ],
        ...b4bRows,
      ],
      { align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'l'] },
    ),
  ].join('\n');
  console.log(`### proof-of-work\n${powBody}\n\n### b4b\n${b4bBody}`);

  if (args.write) {
    const targets: [string, string, string][] = [
      ['defenses/README.md', 'pow-calibration', powBody],
      ['defenses/proof-of-work/README.md', 'pow-calibration', powBody],
      ['defenses/README.md', 'b4b-calibration', b4bBody],
      ['defenses/b4b/README.md', 'b4b-calibration', b4bBody],
    ];
    for (const [file, marker, body] of targets) {
      spliceIntoFile(file, marker, body);
      log(`wrote ${marker} into ${file}`);
    }
  }
  victim.encoder.dispose();
  victim.projectionHead?.dispose();
}

export const command = experimentCommand(
  'calibrate',
  'Calibrates proof-of-work and b4b on the victim with seeded workloads.',
)
  .option('--seed <n>', 'seed of the workloads and the guards', Number, 1)
  .option('--seeds <list>', "other guard seeds for the proof-of-work verdict's stability", integerList, [1, 2, 3, 4, 5])
  .option('--pow <json>', "proof-of-work's options", jsonObject, {})
  .option('--b4b <json>', "b4b's options", jsonObject, {})
  .option('--victim <id>', 'victim id', 'simclr-fmnist')
  .option('--write', 'splice the tables into the defenses READMEs', false)
  .action((options: CalibrateArgs) => calibrate(options));

runIfMain(import.meta.url, command);
