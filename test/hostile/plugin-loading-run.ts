// Runs throw-away plugins through `stealbench run` (real cells: a worker, the sandboxed attack process, the shipped
// simclr-fmnist victim) for the plugin-loading routes: discovery, bundling, symlinks. Unlike hostile-cells.ts it keeps
// the plugin folder until the run is inspected (to see what a plugin managed to write there), reports a run that
// refuses its config (exit 2, no records), and can change a plugin while the run is under way (`onFirstCell`), which
// is how a plugin that was clean when the run was planned turns hostile before its own cell starts.
import { execa } from 'execa';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CellRecord } from '../../benchmark/runner/record.ts';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(repoRoot, 'benchmark/cli/bin.mjs');
/** The public entry, by absolute path: these plugins do not live at the usual depth. */
export const PUBLIC_ENTRY = JSON.stringify(join(repoRoot, 'benchmark/index.ts'));
/** The shipped victim's weights: what every route here tries to reach. */
export const VICTIM_WEIGHTS = join(repoRoot, 'victims', 'simclr-fmnist', 'weights');

export const meta = (id: string) => `meta: { id: '${id}', title: '${id}', paper: 'hostile test fixture' }`;

/** An attack that fails at once: the first cell of a run whose second cell is the one under test. */
export const THROWS_AT_ONCE = (id: string) =>
  `import { defineAttack } from ${PUBLIC_ENTRY};\nexport default ` +
  `defineAttack({ ${meta(id)}, async steal() { throw new ` +
  `Error('deliberate failure'); } });\n`;

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

export interface LoadingRun {
  exitCode: number | undefined;
  output: string;
  records: Record<string, CellRecord>;
  /** Files under the plugin root after the run (plugin folders, relative), the run's own outputs excepted. */
  pluginFiles: string[];
  /** What is left in the run's TMPDIR (tsx's compile cache `tsx-<uid>`, the harness's own loader's, excepted). */
  leftoverTemp: string[];
  /** Processes that still mention the plugin root (orphans of the run). */
  leftoverProcesses: string[];
}

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path, base) : [relative(base, path)];
  });
}

function processesMentioning(text: string): string[] {
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

export function writeAttack(root: string, id: string, source: string): void {
  const folder = join(root, 'attacks', id);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'index.ts'), source);
  writeFileSync(join(folder, 'README.md'), `# ${id}\n\nA deliberately hostile test fixture (test/hostile/).\n`);
  writeFileSync(join(folder, `${id}.test.ts`), `import { it } from 'vitest';\nit.todo('fixture');\n`);
}

export async function runPlugins(options: LoadingRunOptions): Promise<LoadingRun> {
  // Inside the repository (a dot-folder the repository's own discovery never lists) so bare imports resolve.
  const root = mkdtempSync(join(repoRoot, 'test', 'hostile', '.plugins-'));
  // The attack process may run as a uid of its own (attack-process.ts): it must be able to reach TMPDIR below here.
  chmodSync(root, 0o755);
  try {
    for (const [id, source] of Object.entries(options.attacks)) writeAttack(root, id, source);
    options.prepare?.(root);
    const work = join(root, '.run');
    const temp = join(work, 'tmp');
    mkdirSync(temp, { recursive: true });
    const config = {
      name: 'hostile-loading',
      victims: ['simclr-fmnist'],
      defenses: [{ id: 'none' }],
      attacks: options.run.map((id) => ({ id })),
      budgets: [64],
      pools: ['fmnist/attacker-pool-20k'],
      seeds: [0],
      downstream: ['fmnist-small'],
      limits: { cellTimeoutSeconds: 180, memoryMB: 2048, concurrency: 1 },
    };
    writeFileSync(join(work, 'config.json'), JSON.stringify(config));
    const out = join(work, 'out');
    const running = execa('node', [bin, 'run', '--config', join(work, 'config.json'), '--out', out], {
      reject: false,
      cwd: repoRoot,
      env: { ...options.env, STEALBENCH_PLUGIN_PATH: root, TMPDIR: temp },
    });
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
    const records: Record<string, CellRecord> = {};
    const results = join(out, 'results');
    for (const file of existsSync(results) ? readdirSync(results) : []) {
      const record = JSON.parse(readFileSync(join(results, file), 'utf8')) as CellRecord;
      records[record.cell.attack.id] = record;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    return {
      exitCode: ran.exitCode,
      output: `${ran.stdout}\n${ran.stderr}`,
      records,
      pluginFiles: listFiles(join(root, 'attacks')).sort(),
      leftoverTemp: readdirSync(temp).filter((name) => !/^tsx-\d+$/.test(name)),
      leftoverProcesses: processesMentioning(root),
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
