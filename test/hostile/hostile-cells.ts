// Runs throw-away hostile plugins through REAL cells (the CLI, a worker, the sandboxed attack process, the shipped
// simclr-fmnist victim) and reports what was left behind. The plugins live in a hidden folder under test/hostile/
// (found through $STEALBENCH_PLUGIN_PATH, invisible to the repository's own discovery; inside the repository so
// that their bare imports resolve to its node_modules), and the run gets its own TMPDIR, so that "nothing left
// behind" is checked on this run's files and processes only, not on whatever else the machine runs.
import { execa } from 'execa';
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
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CellRecord } from '../../benchmark/runner/record.ts';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(repoRoot, 'benchmark/cli/bin.mjs');
/** The public entry, by absolute path: the plugins do not live at the usual depth. */
export const PUBLIC_ENTRY = JSON.stringify(join(repoRoot, 'benchmark/index.ts'));

export const attackMeta = (id: string) => `meta: { id: '${id}', title: '${id}', paper: 'hostile test fixture' }`;
export const defenseMeta = (id: string) =>
  `meta: { id: '${id}', title: '${id}', paper: 'hostile test fixture', kind: 'active' }`;

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

export interface HostileRun {
  /** Records by `<defense>/<attack>`. */
  records: Record<string, CellRecord>;
  /** Sizes in bytes of the record files, by the same key. */
  recordBytes: Record<string, number>;
  /** Files and folders left in the run's TMPDIR after it exited. */
  leftoverTemp: string[];
  /** Processes still running that mention this run's folder (orphans). */
  leftoverProcesses: string[];
  /** The cells' log files (the worker's stderr and the attack's log lines), by the same key as `records`. */
  logs: Record<string, string>;
  stdout: string;
}

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

export async function runHostileCells(options: HostileRunOptions): Promise<HostileRun> {
  const root = mkdtempSync(join(repoRoot, 'test', 'hostile', '.plugins-'));
  // Run as root, the attack's process has a uid of its own: it must be able to reach the TMPDIR below.
  chmodSync(root, 0o755);
  try {
    for (const [id, source] of Object.entries(options.attacks)) writePlugin(root, 'attacks', id, source);
    for (const [id, source] of Object.entries(options.defenses ?? {})) writePlugin(root, 'defenses', id, source);
    const temp = join(root, 'tmp');
    mkdirSync(temp);
    const config = {
      name: 'hostile',
      victims: ['simclr-fmnist'],
      defenses: options.useDefenses.map((id) => ({ id })),
      attacks: options.useAttacks.map((id) => ({ id })),
      budgets: [options.budget ?? 64],
      pools: ['fmnist/attacker-pool-20k'],
      seeds: [0],
      downstream: ['fmnist-small'],
      limits: {
        cellTimeoutSeconds: options.cellTimeoutSeconds ?? 600,
        memoryMB: options.memoryMB ?? 2048,
        concurrency: 2,
      },
    };
    writeFileSync(join(root, 'config.json'), JSON.stringify(config));
    const out = join(root, 'run');
    const ran = await execa('node', [bin, 'run', '--config', join(root, 'config.json'), '--out', out], {
      reject: false,
      cwd: repoRoot,
      env: { STEALBENCH_PLUGIN_PATH: root, TMPDIR: temp },
    });
    const records: Record<string, CellRecord> = {};
    const recordBytes: Record<string, number> = {};
    const logs: Record<string, string> = {};
    const results = join(out, 'results');
    if (!existsSync(results))
      throw new Error(`the run wrote no results (exit ${ran.exitCode}):\n${ran.stdout}\n${ran.stderr}`);
    for (const file of readdirSync(results)) {
      const record = JSON.parse(readFileSync(join(results, file), 'utf8')) as CellRecord;
      const key = `${record.cell.defense.id}/${record.cell.attack.id}`;
      records[key] = record;
      recordBytes[key] = statSync(join(results, file)).size;
      const log = join(out, 'logs', `${record.key}.log`);
      logs[key] = existsSync(log) ? readFileSync(log, 'utf8') : '';
    }
    // Orphans would still be running now that the CLI has exited; give a killed tree a moment to go.
    await new Promise((resolve) => setTimeout(resolve, 500));
    return {
      records,
      recordBytes,
      // tsx keeps its compile cache in TMPDIR (`tsx-<uid>`), shared by every run: not a cell's leftover.
      leftoverTemp: readdirSync(temp).filter((name) => !/^tsx-\d+$/.test(name)),
      leftoverProcesses: processesMentioning(root),
      logs,
      stdout: ran.stdout + ran.stderr,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
