// Reads what a plugin declares (its meta; a victim's recipe) without running its code in the harness.
// Importing a plugin runs its top-level code; in the harness that code would hold whatever the harness holds (the
// victims' weights, the results folder, the environment). So the plugin is bundled (bundle.ts: code only, no links out
// of its folder) and its default export is read in a child process under Node's permission model, the attack
// sandbox's confinement: it may read node_modules and its private folder (the bundle), write nothing, start no process
// or worker, load no addon, and gets an empty environment. It hands back plain JSON on a pipe of its own; the harness
// checks that with ajv before believing any of it. Functions are reported by name only (`hooks`).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keepImportMeta } from '../oracle/attack-bundle.ts';
import { attackUid, detectIsolation, killSandbox, sandboxCommand } from '../oracle/attack-sandbox.ts';
import { compileSchema, formatIssues, renderIssue } from '../util/validation.ts';
import { buildPlugin, PluginBundleError } from './bundle.ts';
import type { PluginKind } from './types.ts';

const harnessRoot = fileURLToPath(new URL('../../', import.meta.url));

/** What the sandbox reports about a plugin's default export. */
export interface SandboxReport {
  /** 'ok': an object was exported; the others say why there is no plugin to read. */
  status: 'ok' | 'no-default' | 'not-object' | 'error';
  /** The typeof of a default export that is not an object. */
  type?: string;
  /** Own properties of the default export that are functions (e.g. `steal`, `guard`), by name. */
  hooks: string[];
  /** The other own properties, as JSON (meta, a victim's recipe). */
  value?: Record<string, unknown>;
  /** Properties that are not plain JSON, and load errors, as sentences. */
  problems: string[];
}

const reportSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['status', 'hooks', 'problems'],
  properties: {
    status: { enum: ['ok', 'no-default', 'not-object', 'error'] },
    type: { type: 'string', maxLength: 32 },
    hooks: { type: 'array', maxItems: 64, items: { type: 'string', pattern: '^[A-Za-z_$][A-Za-z0-9_$]{0,63}$' } },
    value: { type: 'object' },
    problems: { type: 'array', maxItems: 32, items: { type: 'string', maxLength: 4000 } },
  },
} as const;

/** Bytes of report the harness reads at most; a plugin cannot flood the harness through its meta. */
const MAX_REPORT_BYTES = 1 << 20;
/** The child is killed after this long (its top-level code should only build an object). */
const READ_TIMEOUT_MS = 30_000;
const CHILD_HEAP_MB = 512;
/** RLIMIT_DATA of the child: its heap, buffers and any wasm memory together. */
const CHILD_DATA_BYTES = 2 * 1024 ** 3;
/** Bumped when the reader changes, so cached reports of an older reader are not reused. */
const READER_VERSION = 1;

/** The child's program: import the bundle, describe its default export, write the JSON to fd 3, exit. */
const READER = `import { writeSync } from 'node:fs';
const write = writeSync;
const problems = [];
const nonJson = (value, path, depth) => {
  if (depth > 64) return path + ' (nested too deeply)';
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : path;
  if (typeof value !== 'object') return path;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = nonJson(value[i], path + '[' + i + ']', depth + 1);
      if (bad) return bad;
    }
    return null;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return path;
  for (const key of Object.keys(value)) {
    const bad = nonJson(value[key], path + '.' + key, depth + 1);
    if (bad) return bad;
  }
  return null;
};
let report;
try {
  const mod = await import('./plugin.mjs');
  const plugin = mod.default;
  if (plugin === undefined) report = { status: 'no-default', hooks: [], problems };
  else if (plugin === null || typeof plugin !== 'object') {
    report = { status: 'not-object', type: plugin === null ? 'null' : typeof plugin, hooks: [], problems };
  }
  else {
    const hooks = [];
    const value = {};
    for (const key of Object.keys(plugin)) {
      const item = plugin[key];
      if (typeof item === 'function') { hooks.push(key); continue; }
      const bad = nonJson(item, key, 0);
      if (bad) problems.push(bad + ': must be plain JSON data (no functions, class instances, symbols, NaN, Infinity)');
      else value[key] = item;
    }
    report = { status: 'ok', hooks, value: JSON.parse(JSON.stringify(value)), problems };
  }
} catch (error) {
  const message = typeof error?.message === 'string' ? error.message : String(error);
  report = { status: 'error', hooks: [], problems: ['index.ts failed to load: ' + message.slice(0, 2000)] };
}
write(3, JSON.stringify(report));
process.exit(0);
`;

/** Where reports are kept, keyed by the hash of the bundle (the exact code that was read) and the reader. */
function cacheDir(): string {
  return join(harnessRoot, 'node_modules', '.cache', 'stealbench', 'plugin-data');
}

/** The plugin's bundle and its inputs (absolute paths), and what its default export declares. */
export interface SandboxRead {
  report: SandboxReport;
  /** Every file the bundle read outside node_modules (for the content hash). */
  inputs: string[];
}

/**
 * Bundles `<folder>/index.ts` (code only) and reads its default export in the sandbox. Bundling problems (a data
 * import, a symlink out of the folder, a syntax error) come back as a report with status 'error'.
 */
export async function readPluginInSandbox(folder: string, kind: PluginKind): Promise<SandboxRead> {
  let built;
  try {
    built = await buildPlugin(folder, kind, [keepImportMeta]);
  } catch (error) {
    const problems =
      error instanceof PluginBundleError ? error.problems : [error instanceof Error ? error.message : String(error)];
    return {
      report: { status: 'error', hooks: [], problems: problems.map((p) => `index.ts cannot be bundled: ${p}`) },
      inputs: [],
    };
  }
  const key = createHash('sha256')
    .update(`${READER_VERSION}\0${process.version}\0${READER}\0${built.code}`)
    .digest('hex');
  const cached = join(cacheDir(), `${key}.json`);
  if (existsSync(cached)) {
    try {
      return { report: checkReport(JSON.parse(readFileSync(cached, 'utf8'))), inputs: built.inputs };
    } catch {
      rmSync(cached, { force: true });
    }
  }
  const report = await runReader(built.code);
  // Only complete reads are kept: a timeout or a crash may be the machine's, not the plugin's.
  if (report.status !== 'error') {
    try {
      mkdirSync(cacheDir(), { recursive: true });
      const temp = `${cached}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify(report));
      renameSync(temp, cached);
    } catch {
      // The cache only saves time (a read-only node_modules, a full disk): the report itself is in hand.
    }
  }
  return { report, inputs: built.inputs };
}

/** The report, checked against its schema; a report that does not match is the plugin's problem, said so. */
function checkReport(raw: unknown): SandboxReport {
  const validate = compileSchema<SandboxReport>(reportSchema);
  if (validate(raw)) return raw;
  const why = formatIssues(validate.errors)
    .slice(0, 5)
    .map((issue) => renderIssue(issue))
    .join('; ');
  return { status: 'error', hooks: [], problems: [`the sandbox's report on index.ts is malformed (${why})`] };
}

async function runReader(code: string): Promise<SandboxReport> {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'stealbench-plugin-data-')));
  try {
    writeFileSync(join(dir, 'plugin.mjs'), code);
    writeFileSync(join(dir, 'reader.mjs'), READER);
    const nodeModules = realpathSync(join(harnessRoot, 'node_modules'));
    symlinkSync(nodeModules, join(dir, 'node_modules'), 'dir');
    // The attack sandbox's flags (attack-process.ts permissionFlags), narrower: the only writable path is the private
    // folder, deleted afterwards; no child processes, workers or addons (not granted).
    const flags = [
      '--experimental-permission',
      `--allow-fs-read=${nodeModules}`,
      `--allow-fs-read=${dir}`,
      `--allow-fs-write=${dir}`,
    ];
    // And the attack sandbox's process isolation (attack-sandbox.ts): a uid of its own or namespaces where the machine
    // allows, so that top-level code cannot signal, trace or debug the harness process that is reading it.
    const isolation = detectIsolation();
    if (!isolation.strong) warnWeakIsolation(isolation.description);
    const uid = isolation.level === 'separate-uid' ? attackUid() : undefined;
    // Readable, not writable, for that uid: it only imports the bundle.
    if (uid !== undefined) chmodSync(dir, 0o755);
    const limits = { dataBytes: CHILD_DATA_BYTES, cpuSeconds: READ_TIMEOUT_MS / 1000, fileBytes: 1 << 20 };
    const nodeArgs = [...flags, `--max-old-space-size=${CHILD_HEAP_MB}`, '--no-warnings', join(dir, 'reader.mjs')];
    const command = sandboxCommand(isolation, uid ?? 0, limits, nodeArgs);
    const child = spawn(command.file, command.args, {
      cwd: dir,
      // PATH only, to find the sandbox's tools; nothing else of the harness's environment.
      env: process.env.PATH ? { PATH: process.env.PATH } : {},
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const kill = () => killSandbox(child.pid);
    const chunks: Buffer[] = [];
    let bytes = 0;
    let stderr = '';
    child.stdio[3]!.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= MAX_REPORT_BYTES) chunks.push(chunk);
      else kill();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-2000);
    });
    const timer = setTimeout(kill, READ_TIMEOUT_MS);
    const [code_, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
      child.on('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
      child.on('error', () => resolve([null, null]));
    });
    clearTimeout(timer);
    kill();
    if (bytes > MAX_REPORT_BYTES) return failed(`its default export is larger than ${MAX_REPORT_BYTES} bytes of JSON`);
    if (code_ !== 0) {
      const why = signal
        ? `was killed (${signal}${signal === 'SIGKILL' ? `: over ${READ_TIMEOUT_MS / 1000} s?` : ''})`
        : `exited with code ${code_}`;
      const tail = stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' ')}` : '';
      return failed(`reading index.ts in the sandbox ${why}${tail}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return failed(
        "the sandbox's report on index.ts is not one JSON document (did its top-level code write to fd 3?)",
      );
    }
    return checkReport(parsed);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let warned = false;
function warnWeakIsolation(description: string): void {
  if (warned) return;
  warned = true;
  process.stderr.write(
    `stealbench: WARNING: plugins are read with weak process isolation (${description}); ` +
      'their top-level code could signal harness processes. Do not read untrusted plugins here.\n',
  );
}

const failed = (problem: string): SandboxReport => ({ status: 'error', hooks: [], problems: [problem] });
