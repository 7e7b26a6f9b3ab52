// Runs throw-away hostile plugins through REAL cells (the CLI, a worker, the sandboxed attack process, the shipped
// simclr-fmnist victim) and reports what was left behind. The one helper module of every hostile test that runs a
// plugin: they all set a run up the same way, so that each route is checked under the same conditions.
// The plugins live in a hidden folder under test/hostile/ (found through $STEALBENCH_PLUGIN_PATH, invisible to the
// repository's own discovery; inside the repository so that their bare imports resolve to its node_modules), and the
// run gets its own TMPDIR, so that "nothing left behind" is checked on this run's files and processes only, not on
// whatever else the machine runs.
import { execa, type ResultPromise } from 'execa';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { CellRecord } from '../../benchmark/runner/record.ts';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(repoRoot, 'benchmark/cli/bin.mjs');
/** The public entry, by absolute path: the plugins do not live at the usual depth. */
export const PUBLIC_ENTRY = JSON.stringify(join(repoRoot, 'benchmark/index.ts'));
/** The shipped victim's weights: what the plugin-loading routes try to reach. */
export const VICTIM_WEIGHTS = join(repoRoot, 'victims', 'simclr-fmnist', 'weights');

export const attackMeta = (id: string) => `meta: { id: '${id}', title: '${id}', paper: 'hostile test fixture' }`;
export const defenseMeta = (id: string) =>
  `meta: { id: '${id}', title: '${id}', paper: 'hostile test fixture', kind: 'active' }`;

/** An attack plugin: `body` is the inside of `async steal(ctx)`; `imports` go at the top. */
export function hostileAttack(id: string, body: string, imports = ''): string {
  return (
    `import { defineAttack, createEncoder } from ${PUBLIC_ENTRY};\n${imports}\n` +
    `export default defineAttack({ ${attackMeta(id)}, async steal(ctx) {\n${body}\n} });\n`
  );
}

/** A defense plugin: `body` is the inside of `guard()`, which returns the guard. */
export function hostileDefense(id: string, body: string): string {
  return (
    `import { defineDefense } from ${PUBLIC_ENTRY};\n` +
    `export default defineDefense({ ${defenseMeta(id)}, guard() {${body}} });\n`
  );
}

/** An honest attack: spends its budget in 4 batches over 2 accounts (errors caught), returns a fresh small encoder. */
export const HONEST_ATTACK = (id: string) => `import { defineAttack, createEncoder } from ${PUBLIC_ENTRY};
export default defineAttack({ ${attackMeta(id)}, async steal(ctx) {
  const size = ctx.pool.height * ctx.pool.width * ctx.pool.channels;
  const per = Math.floor(ctx.budget / 4);
  for (let b = 0; b < 4; b++) {
    const images = { ...ctx.pool, count: per, data: ctx.pool.data.subarray(b * per * size, (b + 1) * per * size) };
    try { await ctx.oracle.query(images, { account: b % 2 }); } catch (error) { ctx.log('refused: ' + String(error)); }
  }
  return createEncoder({ arch: 'small-cnn', inputShape: [28, 28, 1] }, ctx.seed);
} });
`;

/** An attack that fails at once: the first cell of a run whose second cell is the one under test. */
export const THROWS_AT_ONCE = (id: string) =>
  `import { defineAttack } from ${PUBLIC_ENTRY};\nexport default ` +
  `defineAttack({ ${attackMeta(id)}, async steal() { throw new ` +
  `Error('deliberate failure'); } });\n`;

export function writePlugin(root: string, kind: 'attacks' | 'defenses', id: string, source: string): void {
  const folder = join(root, kind, id);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'index.ts'), source);
  writeFileSync(join(folder, 'README.md'), `# ${id}\n\nA deliberately hostile test fixture (test/hostile/).\n`);
  writeFileSync(join(folder, `${id}.test.ts`), `import { it } from 'vitest';\nit.todo('fixture');\n`);
}

/** Processes whose command line or environment mentions `text` (Linux /proc; workers inherit the run's env). */
export function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid)) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (args.includes(text) || env.includes(text)) found.push(`${pid} ${args}`);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path, base) : [relative(base, path)];
  });
}

/**
 * A fresh plugin root (a dot-folder the repository's own discovery never lists). Run as root, the attack's process
 * has a uid of its own (attack-process.ts): it must be able to reach the run's TMPDIR below here.
 */
export function makePluginRoot(): string {
  const root = mkdtempSync(join(repoRoot, 'test', 'hostile', '.plugins-'));
  chmodSync(root, 0o755);
  return root;
}

/** The grid of one hostile run: the shipped victim, one seed, the small downstream task. */
export interface HostileGrid {
  name: string;
  defenses: string[];
  attacks: string[];
  budget: number;
  cellTimeoutSeconds: number;
  memoryMB: number;
  concurrency: number;
}

/** A run under way: the CLI process, and where its outputs and its TMPDIR are. */
export interface StartedRun {
  running: ResultPromise<{ reject: false }>;
  /** The run's `--out` folder (`results/`, `logs/`). */
  out: string;
  /** The run's own TMPDIR. */
  temp: string;
}

/** Starts `stealbench run` on `grid` with the plugins under `root`; its config, outputs and TMPDIR go in `root`. */
export function startRun(root: string, grid: HostileGrid, env: Record<string, string> = {}): StartedRun {
  const temp = join(root, 'tmp');
  mkdirSync(temp);
  const config = {
    name: grid.name,
    victims: ['simclr-fmnist'],
    defenses: grid.defenses.map((id) => ({ id })),
    attacks: grid.attacks.map((id) => ({ id })),
    budgets: [grid.budget],
    pools: ['fmnist/attacker-pool-20k'],
    seeds: [0],
    downstream: ['fmnist-small'],
    limits: { cellTimeoutSeconds: grid.cellTimeoutSeconds, memoryMB: grid.memoryMB, concurrency: grid.concurrency },
  };
  writeFileSync(join(root, 'config.json'), JSON.stringify(config));
  const out = join(root, 'run');
  const running = execa('node', [CLI, 'run', '--config', join(root, 'config.json'), '--out', out], {
    reject: false,
    cwd: repoRoot,
    env: { ...env, STEALBENCH_PLUGIN_PATH: root, TMPDIR: temp },
  });
  return { running, out, temp };
}

/** The records a run wrote, with their file sizes and cell logs, keyed by `keyOf(record)`. */
function readResults(out: string, keyOf: (record: CellRecord) => string) {
  const records: Record<string, CellRecord> = {};
  const recordBytes: Record<string, number> = {};
  const logs: Record<string, string> = {};
  const results = join(out, 'results');
  for (const file of existsSync(results) ? readdirSync(results) : []) {
    const record = JSON.parse(readFileSync(join(results, file), 'utf8')) as CellRecord;
    const key = keyOf(record);
    records[key] = record;
    recordBytes[key] = statSync(join(results, file)).size;
    const log = join(out, 'logs', `${record.key}.log`);
    logs[key] = existsSync(log) ? readFileSync(log, 'utf8') : '';
  }
  return { records, recordBytes, logs };
}

/** What a finished run left behind: files in its TMPDIR and processes that still mention its plugin root. */
async function leftovers(root: string, temp: string): Promise<Leftovers> {
  // Orphans would still be running now that the CLI has exited; give a killed tree a moment to go.
  await new Promise((resolve) => setTimeout(resolve, 500));
  return {
    // tsx keeps its compile cache in TMPDIR (`tsx-<uid>`), shared by every run: not a cell's leftover.
    leftoverTemp: readdirSync(temp).filter((name) => !/^tsx-\d+$/.test(name)),
    leftoverProcesses: processesMentioning(root),
  };
}

export interface Leftovers {
  /** Files and folders left in the run's TMPDIR after it exited. */
  leftoverTemp: string[];
  /** Processes still running that mention this run's folder (orphans). */
  leftoverProcesses: string[];
}

/** Nothing of the run is left: no file in its TMPDIR, no process. */
export function expectNothingLeftBehind(run: Leftovers): void {
  expect(run.leftoverProcesses).toEqual([]);
  expect(run.leftoverTemp).toEqual([]);
}

export interface HostileRunOptions {
  attacks: Record<string, string>;
  defenses?: Record<string, string>;
  /** Grid: these defenses × these attacks (ids of the plugins above or of the repository's). */
  useDefenses: string[];
  useAttacks: string[];
  budget?: number;
  cellTimeoutSeconds?: number;
  /** The config's limits.memoryMB (default 2048): the worker's heap and the attack process's memory. */
  memoryMB?: number;
}

export interface HostileRun extends Leftovers {
  /** Records by `<defense>/<attack>`. */
  records: Record<string, CellRecord>;
  /** Sizes in bytes of the record files, by the same key. */
  recordBytes: Record<string, number>;
  /** The cells' log files (the worker's stderr and the attack's log lines), by the same key as `records`. */
  logs: Record<string, string>;
  stdout: string;
}

export async function runHostileCells(options: HostileRunOptions): Promise<HostileRun> {
  const root = makePluginRoot();
  try {
    for (const [id, source] of Object.entries(options.attacks)) writePlugin(root, 'attacks', id, source);
    for (const [id, source] of Object.entries(options.defenses ?? {})) writePlugin(root, 'defenses', id, source);
    const { running, out, temp } = startRun(root, {
      name: 'hostile',
      defenses: options.useDefenses,
      attacks: options.useAttacks,
      budget: options.budget ?? 64,
      cellTimeoutSeconds: options.cellTimeoutSeconds ?? 600,
      memoryMB: options.memoryMB ?? 2048,
      concurrency: 2,
    });
    const ran = await running;
    if (!existsSync(join(out, 'results')))
      throw new Error(`the run wrote no results (exit ${ran.exitCode}):\n${ran.stdout}\n${ran.stderr}`);
    const results = readResults(out, (record) => `${record.cell.defense.id}/${record.cell.attack.id}`);
    return { ...results, ...(await leftovers(root, temp)), stdout: ran.stdout + ran.stderr };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * `runHostileCells`, checked to have a record for every cell of the grid: the per-cell checks that follow read
 * `run.records[<defense>/<attack>]` and would otherwise fail on a missing record without saying why.
 */
export async function runEveryCell(options: HostileRunOptions): Promise<HostileRun> {
  const run = await runHostileCells(options);
  const cells = options.useDefenses.flatMap((defense) => options.useAttacks.map((attack) => `${defense}/${attack}`));
  expect(Object.keys(run.records).sort(), run.stdout).toEqual(cells.sort());
  return run;
}

/** Each of `attacks` under the `none` defense, every cell recorded (records keyed `none/<attack>`). */
export function runUndefended(
  attacks: Record<string, string>,
  limits: Pick<HostileRunOptions, 'budget' | 'cellTimeoutSeconds' | 'memoryMB'> = {},
): Promise<HostileRun> {
  return runEveryCell({ attacks, useDefenses: ['none'], useAttacks: Object.keys(attacks), ...limits });
}

/** The honest attack the defense tests run every defense against; records are keyed `<defense>/hostile-honest`. */
export const HONEST_ID = 'hostile-honest';

/** Each of `defenses` against the honest attack, every cell recorded. */
export function runAgainstHonestAttack(defenses: Record<string, string>): Promise<HostileRun> {
  return runEveryCell({
    attacks: { [HONEST_ID]: HONEST_ATTACK(HONEST_ID) },
    defenses,
    useDefenses: Object.keys(defenses),
    useAttacks: [HONEST_ID],
  });
}

export interface LoadingRunOptions {
  /** Attack sources by id (each becomes `attacks/<id>/index.ts` with a README and a test file). */
  attacks: Record<string, string>;
  /** Ids to run, in grid order (one cell each, run one at a time). */
  run: string[];
  /** Called with the plugin root before the run starts (e.g. to add a symlink). */
  prepare?(root: string): void;
  /** Called once, when the first cell's log appears: the run is planned and its plugins have been read. */
  onFirstCell?(root: string): void;
  env?: Record<string, string>;
}

export interface LoadingRun extends Leftovers {
  exitCode: number | undefined;
  output: string;
  /** Records by attack id. */
  records: Record<string, CellRecord>;
  /** Files under the plugin root's `attacks/` after the run (relative), the run's own outputs excepted. */
  pluginFiles: string[];
}

/**
 * Runs throw-away attacks for the plugin-loading routes (discovery, bundling, symlinks). Unlike `runHostileCells` it
 * keeps the plugin folder until the run is inspected (to see what a plugin managed to write there), reports a run
 * that refuses its config (exit 2, no records), and can change a plugin while the run is under way (`onFirstCell`),
 * which is how a plugin that was clean when the run was planned turns hostile before its own cell starts.
 */
export async function runPlugins(options: LoadingRunOptions): Promise<LoadingRun> {
  const root = makePluginRoot();
  try {
    for (const [id, source] of Object.entries(options.attacks)) writePlugin(root, 'attacks', id, source);
    options.prepare?.(root);
    const grid = {
      name: 'hostile-loading',
      defenses: ['none'],
      attacks: options.run,
      budget: 64,
      cellTimeoutSeconds: 180,
      memoryMB: 2048,
      concurrency: 1,
    };
    const { running, out, temp } = startRun(root, grid, options.env);
    if (options.onFirstCell) {
      const logs = join(out, 'logs');
      const watch = setInterval(() => {
        if (existsSync(logs) && readdirSync(logs).length > 0) {
          clearInterval(watch);
          options.onFirstCell!(root);
        }
      }, 50);
      void running.finally(() => clearInterval(watch));
    }
    const ran = await running;
    const { records } = readResults(out, (record) => record.cell.attack.id);
    return {
      exitCode: ran.exitCode,
      output: `${ran.stdout}\n${ran.stderr}`,
      records,
      pluginFiles: listFiles(join(root, 'attacks')).sort(),
      ...(await leftovers(root, temp)),
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** No record may be a completed copy of the victim obtained without queries. */
export function stolenForFree(records: Record<string, CellRecord>): string[] {
  return Object.values(records)
    .filter((record) => record.state === 'completed')
    .filter((record) => {
      const metrics = record.metrics as { fidelity?: { cka?: number }; cost?: { queries?: number } } | undefined;
      return (metrics?.fidelity?.cka ?? 0) > 0.95 || (metrics?.cost?.queries ?? 1) === 0;
    })
    .map((record) => record.cell.attack.id);
}
