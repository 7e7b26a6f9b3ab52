// Runs one attack in its own process, so that it sees the victim only through the oracle.
//
// The parent (this module) holds the oracle and the account. It bundles the attack (attack-bundle.ts) into a private
// temp dir, writes the query pool there as a binary file, and starts the bundle with an IPC channel. The child gets
// only: the plugin (compiled into the bundle), its validated options, seed, budget, deadline and the pool file. Two
// fences:
// - inside the process, Node's permission model (Node 20: `--experimental-permission`):
//     read:  node_modules and the private temp dir (and `extraReadPaths`);   write: `<private dir>/out` only;
//     denied: child processes, worker threads, native addons, everything else.
//   The harness's own sources are not readable: the child runs the bundle, not the TypeScript tree (tsx could not run
//   there: it compiles through an esbuild service started as a child process, which the permission model forbids).
// - around it, the operating system (attack-sandbox.ts): its own PID and network namespaces and, as root, a uid of its
//   own, so that it cannot signal, trace or connect to any harness process; rlimits on memory, CPU time and file size;
//   its own process group, killed whole when the attack ends, and killed by the kernel when its parent dies.
// The child gets a minimal environment (no inherited secrets). The deadline is enforced here: past it the child is
// killed (SIGKILL) and the result is `timed-out`. Its output is capped (LOG_LIMIT_BYTES). The model it saves in its own
// folder is copied out (regular files only) after it is dead.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  chownSync,
  closeSync,
  constants,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODEL_FILES } from '../nn/model-io.ts';
import type { AttackDefenseView, ImageSet, OracleClient } from '../plugin/types.ts';
import { capText, MAX_STACK_CHARS } from '../util/cap-text.ts';
import { makeTempDir, removeTempDir } from '../util/temp-dirs.ts';
import { bundleAttack } from './attack-bundle.ts';
import {
  attackUid,
  cpuSecondsFor,
  killSandbox,
  requireIsolation,
  sandboxCommand,
  type Isolation,
  type SandboxLimits,
} from './attack-sandbox.ts';
import type { AttackPhase, ChildMessage, ParentMessage, StartMessage } from './attack-protocol.ts';
import { answerOracleRequest } from './ipc-server.ts';
import type { AccountSet, Oracle } from './oracle.ts';
import { writePoolFile } from './pool-file.ts';

export interface AttackProgress {
  done: number;
  total: number;
  message?: string;
}

export interface AttackProcessOptions {
  /** Absolute path of the attack plugin's module (its folder becomes readable to the child). */
  modulePath: string;
  /**
   * Plugin id blamed in error records (default: the module's folder name). The child's own claims (`loaded`, an
   * `error`'s plugin) never change it: everything the child sends is written by attack code.
   */
  pluginId?: string;
  /** Options already validated against the plugin's schema (defaults applied). */
  options: Record<string, unknown>;
  seed: number;
  /**
   * The oracle and the attacker's account (already opened) or account set (its accounts share one budget); the
   * remaining budget is the attack's budget.
   */
  oracle: Oracle;
  account: string | AccountSet;
  /** Answers the child's requests (default `oracle.client(account)`); e.g. one that interleaves other traffic. */
  client?: OracleClient;
  /** Seconds the harness has spent on other traffic in front of the attack's queries: added to its kill deadline. */
  pausedSeconds?(): number;
  /** The images the attack may query, in plan order (see pools.ts). */
  pool: ImageSet;
  /** Epoch ms after which the child is killed. */
  deadline: number;
  /** Where the child must save the stolen encoder; created if missing. Only place the child may write. */
  outputDir: string;
  /** tfjs backend for the child's engine ('auto' | 'wasm' | 'cpu' | 'tensorflow'). */
  backend?: string;
  onProgress?(progress: AttackProgress): void;
  onLog?(message: string): void;
  /** Extra read-only paths (e.g. a dataset the attack is allowed to use); readable by other users when run as root. */
  extraReadPaths?: string[];
  /**
   * The attack's memory in MB (the config's `limits.memoryMB`; default 4096): its JavaScript heap limit, and with
   * 512 MB for the runtime its RLIMIT_DATA (heap, Buffers and wasm memory together).
   */
  memoryMB?: number;
  /**
   * What an adaptive attack may know of the defense (its id and public options, see plugin/public-options.ts); the
   * caller passes it only to attacks that declare `meta.targets`. Becomes `ctx.defense` in the child.
   */
  defense?: AttackDefenseView;
}

export interface AttackProcessError {
  message: string;
  phase: AttackPhase;
  plugin: string;
  code?: string;
  stack?: string;
}

export interface AttackProcessResult {
  state: 'completed' | 'failed' | 'timed-out';
  modelDir?: string;
  error?: AttackProcessError;
  /** Images the oracle answered for this account during the run (from its audit log). */
  queriesUsed: number;
  seconds: number;
  /** The tfjs backend the attack ran on, when it got that far. */
  backend?: string;
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The node flags that confine the child; exported so tests and docs show exactly what is allowed. */
export function permissionFlags(readPaths: string[], writePath: string): string[] {
  return [
    '--experimental-permission',
    ...readPaths.map((p) => `--allow-fs-read=${p}`),
    `--allow-fs-write=${writePath}`,
  ];
}

function answeredImages(oracle: Oracle, account: string | AccountSet): number {
  const ids = typeof account === 'string' ? [account] : account.opened();
  return ids.reduce((sum, id) => sum + oracle.audit(id).reduce((s, entry) => s + entry.count, 0), 0);
}

export async function runAttackProcess(opts: AttackProcessOptions): Promise<AttackProcessResult> {
  const started = performance.now();
  const usedBefore = answeredImages(opts.oracle, opts.account);
  const modulePath = resolve(opts.modulePath);
  const plugin = opts.pluginId ?? dirname(modulePath).split(/[\\/]/).pop()!;
  const client = opts.client ?? opts.oracle.client(opts.account);
  const budget = typeof opts.account === 'string' ? opts.oracle.budget(opts.account) : opts.account.budget();
  const finish = (
    state: AttackProcessResult['state'],
    extra: Partial<AttackProcessResult> = {},
  ): AttackProcessResult => ({
    state,
    ...extra,
    queriesUsed: answeredImages(opts.oracle, opts.account) - usedBefore,
    seconds: (performance.now() - started) / 1000,
  });
  if (!existsSync(modulePath)) {
    return finish('failed', { error: { message: `attack module not found: ${modulePath}`, phase: 'load', plugin } });
  }
  let isolation: Isolation;
  try {
    isolation = requireIsolation();
  } catch (error) {
    return finish('failed', { error: { message: (error as Error).message, phase: 'worker', plugin } });
  }
  const memoryMB = opts.memoryMB ?? DEFAULT_ATTACK_MEMORY_MB;
  // Real paths: the permission model compares resolved paths, and /tmp may be a symlink on some systems.
  const privateDir = realpathSync(makeTempDir('attack'));
  let child: ChildProcess | undefined;
  try {
    // The only place the child may write. The model files are copied out after `done` (regular files only), so the
    // child needs no access to the caller's folders and cannot plant links or extra files there.
    const childOut = join(privateDir, 'out');
    mkdirSync(childOut);
    const poolFile = join(privateDir, 'pool.bin');
    writePoolFile(poolFile, opts.pool);
    const bundle = join(privateDir, 'attack.mjs');
    try {
      await bundleAttack(modulePath, bundle);
    } catch (error) {
      return finish('failed', {
        error: { message: `could not compile the attack: ${capText((error as Error).message)}`, phase: 'load', plugin },
      });
    }
    // The bundle's bare imports (tfjs…) resolve through this link to the project's node_modules.
    const nodeModules = realpathSync(join(repoRoot, 'node_modules'));
    symlinkSync(nodeModules, join(privateDir, 'node_modules'), 'dir');
    // Not the plugin's own folder: the bundle holds all its code (data imports are refused), so nothing a plugin keeps
    // beside its code (e.g. a stash in a dot-folder) reaches steal().
    const readPaths = [nodeModules, privateDir, ...(opts.extraReadPaths ?? []).map((p) => resolve(p))];
    const uid = isolation.level === 'separate-uid' ? attackUid() : undefined;
    if (uid !== undefined) {
      const blocked = readPaths.map((p) => blockedForOthers(p, p === privateDir)).find((why) => why !== undefined);
      if (blocked)
        return finish('failed', {
          error: { message: `the attack runs as a uid of its own, but ${blocked}`, phase: 'worker', plugin },
        });
      for (const path of [privateDir, childOut, poolFile]) chownSync(path, uid, uid);
    }
    const start: StartMessage = {
      type: 'start',
      modulePath,
      options: opts.options,
      seed: opts.seed,
      budget: budget.remaining,
      deadline: opts.deadline,
      poolFile,
      outputDir: childOut,
      ...(opts.backend === undefined ? {} : { backend: opts.backend }),
      oracle: {
        output: client.output,
        inputShape: [...client.inputShape] as [number, number, number],
        outputDim: client.outputDim,
        maxAccounts: client.maxAccounts,
      },
      ...(opts.defense === undefined ? {} : { defense: structuredClone(opts.defense) }),
    };
    const limits = attackLimits(memoryMB, opts.deadline);
    const command = sandboxCommand(isolation, uid ?? 0, limits, [
      ...permissionFlags(readPaths, childOut),
      `--max-old-space-size=${memoryMB}`,
      '--enable-source-maps',
      '--no-warnings',
      bundle,
    ]);
    child = spawn(command.file, command.args, {
      cwd: privateDir,
      // Minimal environment: the attack inherits nothing from the harness's shell.
      env: { NODE_ENV: 'production', ...(process.env.PATH ? { PATH: process.env.PATH } : {}) },
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // Own session and process group: kill(0, …) from the attack reaches only its own tree, and so does our kill.
      detached: true,
    });
    if (child.pid !== undefined) liveSandboxes.add(child.pid);
    const result = await supervise(child, start, opts, client, () => plugin, finish, limits);
    // The whole group is dead before the files are read (supervise resolves on exit; kill the rest to be sure).
    killSandbox(child.pid);
    return result.state === 'completed' ? copyModelOut(result, childOut, opts.outputDir, limits, plugin) : result;
  } finally {
    if (child?.pid !== undefined) {
      killSandbox(child.pid);
      liveSandboxes.delete(child.pid);
    }
    removeTempDir(privateDir);
  }
}

/** Default memory of the attack's process when the caller gives none (the config's default `limits.memoryMB`). */
export const DEFAULT_ATTACK_MEMORY_MB = 4096;
/** What Node, tfjs and the wasm runtime need on top of the attack's own memory (RLIMIT_DATA = memoryMB + this). */
const RUNTIME_MB = 512;
const MiB = 1024 * 1024;
/** stdout + stderr + ctx.log + progress text an attack may produce; beyond it the attack is stopped. */
export const LOG_LIMIT_BYTES = 4 * MiB;
/** Longest single log line or progress message passed on (longer ones are cut). */
const LOG_LINE_CHARS = 2000;

interface AttackLimits extends SandboxLimits {
  memoryMB: number;
}

function attackLimits(memoryMB: number, deadline: number): AttackLimits {
  return {
    memoryMB,
    dataBytes: (memoryMB + RUNTIME_MB) * MiB,
    cpuSeconds: cpuSecondsFor(Math.max(0, deadline - Date.now()) / 1000),
    fileBytes: memoryMB * MiB,
  };
}

/** Sandboxes of this process still running: killed when it exits (worker disconnect, SIGTERM, exit). */
const liveSandboxes = new Set<number>();
process.on('exit', () => liveSandboxes.forEach(killSandbox));

/**
 * Why another uid could not read `path` (a folder on the way without search permission for others), or undefined.
 * `ownedByAttack`: the path itself is handed to the attack's uid (chown), so only the folders above it count.
 */
function blockedForOthers(path: string, ownedByAttack: boolean): string | undefined {
  const parts = path.split(sep).filter(Boolean);
  for (let i = 0; i < parts.length - (ownedByAttack ? 1 : 0); i++) {
    const at = sep + parts.slice(0, i + 1).join(sep);
    const stat = statSync(at);
    const needed = i < parts.length - 1 ? 0o001 : stat.isDirectory() ? 0o005 : 0o004;
    if ((stat.mode & needed) !== needed) {
      return (
        `${at} (mode ${(stat.mode & 0o777).toString(8)}) is closed to other users, so it cannot read ${path}. ` +
        'Make the folders above it searchable by others (chmod o+x), or for TMPDIR use a folder like /tmp.'
      );
    }
  }
  return undefined;
}

function supervise(
  child: ChildProcess,
  start: StartMessage,
  opts: AttackProcessOptions,
  client: OracleClient,
  plugin: () => string,
  finish: (state: AttackProcessResult['state'], extra?: Partial<AttackProcessResult>) => AttackProcessResult,
  limits: AttackLimits,
): Promise<AttackProcessResult> {
  return new Promise((resolvePromise) => {
    let outcome: AttackProcessResult | undefined;
    let backend: string | undefined;
    let loaded = false;
    let stderrTail = '';
    // Everything the attack prints or logs counts against one limit; past it the attack is stopped, so a flood can
    // neither fill the cell's log nor swamp the worker.
    let logBytes = 0;
    const withinLogLimit = (bytes: number): boolean => {
      logBytes += bytes;
      if (logBytes <= LOG_LIMIT_BYTES) return true;
      const message =
        `the attack produced more than ${LOG_LIMIT_BYTES / MiB} MiB of output (stdout, stderr, ctx.log and ` +
        'progress messages together) and was stopped';
      settle(finish('failed', { error: { message, phase: 'attack', plugin: plugin() } }));
      return false;
    };
    const line = (text: string) => capText(text.trimEnd(), LOG_LINE_CHARS);
    child.stderr?.on('data', (chunk: Buffer) => {
      if (outcome || !withinLogLimit(chunk.length)) return;
      stderrTail = (stderrTail + chunk.toString('utf8')).slice(-4000);
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      if (!outcome && withinLogLimit(chunk.length)) opts.onLog?.(line(chunk.toString('utf8')));
    });
    const settle = (result: AttackProcessResult) => {
      if (outcome) return;
      outcome = backend === undefined ? result : { ...result, backend };
      clearTimeout(timer);
      killSandbox(child.pid);
    };
    // The kill deadline moves by the time the harness spent on other accounts' traffic in front of the attack's
    // queries (opts.pausedSeconds): that time is not the attack's to lose.
    const killAt = () => start.deadline + (opts.pausedSeconds?.() ?? 0) * 1000;
    const expire = () => {
      if (Date.now() < killAt()) {
        timer = setTimeout(expire, killAt() - Date.now());
        return;
      }
      settle(
        finish('timed-out', {
          error: {
            message: `attack did not finish before its deadline (${new Date(killAt()).toISOString()})`,
            phase: 'attack',
            plugin: plugin(),
          },
        }),
      );
    };
    let timer = setTimeout(expire, Math.max(0, killAt() - Date.now()));
    const reply = (message: ParentMessage) => {
      if (child.connected) child.send(message);
    };
    child.on('message', (raw: unknown) => {
      if (outcome) return;
      const message = raw as ChildMessage;
      switch (message?.type) {
        case 'engine':
          if (typeof message.backend === 'string') backend = message.backend;
          break;
        case 'loaded':
          loaded = true;
          break;
        case 'budget':
        case 'query':
          void answerOracleRequest(client, message).then((answer) => !outcome && reply(answer));
          break;
        case 'progress': {
          const text = message.message === undefined ? undefined : String(message.message);
          if (!withinLogLimit(text?.length ?? 0)) break;
          opts.onProgress?.({
            done: Number(message.done),
            total: Number(message.total),
            ...(text === undefined ? {} : { message: line(text) }),
          });
          break;
        }
        case 'log': {
          const text = String(message.message);
          if (withinLogLimit(text.length)) opts.onLog?.(line(text));
          break;
        }
        case 'done': {
          const missing = Object.values(MODEL_FILES).filter((name) => !existsSync(join(start.outputDir, name)));
          if (missing.length > 0) {
            const message = `the attack reported done but its saved model lacks ${missing.join(', ')}`;
            settle(finish('failed', { error: { message, phase: 'save', plugin: plugin() } }));
          } else {
            settle(finish('completed', { modelDir: start.outputDir }));
          }
          break;
        }
        case 'error':
          settle(finish('failed', { error: childError(message, plugin()) }));
          break;
      }
    });
    child.on('error', (error) =>
      settle(
        finish('failed', { error: { message: `attack process: ${error.message}`, phase: 'worker', plugin: plugin() } }),
      ),
    );
    child.on('exit', (code, signal) => {
      if (!outcome) {
        // The process runs the attack's code from the moment it loads the plugin: its death is the attack's.
        const message = deathMessage(code, signal, stderrTail, limits);
        settle(finish('failed', { error: { message, phase: loaded ? 'attack' : 'load', plugin: plugin() } }));
      }
      resolvePromise(outcome!);
    });
    child.send(start);
  });
}

/** Why the attack's process died without a result, in words, with the tail of its stderr. */
function deathMessage(
  code: number | null,
  signal: NodeJS.Signals | null,
  stderrTail: string,
  limits: AttackLimits,
): string {
  const tail = capText(stderrTail.trim(), 1500);
  const why = /Reached heap limit|heap out of memory/i.test(stderrTail)
    ? `ran out of memory (JavaScript heap limit ${limits.memoryMB} MB)`
    : /Array buffer allocation failed|Cannot allocate|Out of memory|ENOMEM/i.test(stderrTail)
      ? `ran out of memory (limit ${limits.dataBytes / MiB} MiB for heap, buffers and wasm together)`
      : signal === 'SIGKILL'
        ? `was killed by SIGKILL (e.g. its CPU-time limit of ${limits.cpuSeconds} s)`
        : signal
          ? `was killed by ${signal}`
          : `exited with code ${code}`;
  return `the attack's process ${why} before reporting a result${tail ? `: ${tail}` : ''}`;
}

/**
 * Copies the stolen model's files from the child's folder to the caller's, after the child is dead: each must be a
 * regular file (opened with O_NOFOLLOW, so a symlink planted by the attack is refused, not followed) within the file
 * size limit.
 */
function copyModelOut(
  result: AttackProcessResult,
  childOut: string,
  outputDir: string,
  limits: AttackLimits,
  plugin: string,
): AttackProcessResult {
  mkdirSync(outputDir, { recursive: true });
  for (const name of Object.values(MODEL_FILES)) {
    let fd: number | undefined;
    try {
      fd = openSync(join(childOut, name), constants.O_RDONLY | constants.O_NOFOLLOW);
      const stat = fstatSync(fd);
      if (!stat.isFile() || stat.size > limits.fileBytes)
        throw new Error(stat.isFile() ? `over ${limits.fileBytes} bytes` : 'not a regular file');
      writeFileSync(join(outputDir, name), readFileSync(fd));
    } catch (error) {
      const message = `the attack's saved model file ${name} could not be taken: ${(error as Error).message}`;
      return { ...result, state: 'failed', modelDir: undefined, error: { message, phase: 'attack', plugin } };
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
  return { ...result, modelDir: realpathSync(outputDir) };
}

const CHILD_PHASES: readonly AttackPhase[] = ['load', 'engine', 'attack', 'save'];

/**
 * The record of an error the child reported. The child runs attack code, so its report is evidence, not a verdict:
 * the phase is 'attack' and the plugin is the harness's id whatever it says; the step it names (when one of the
 * child's own steps) is kept in the message, and all its text is capped.
 */
function childError(message: Extract<ChildMessage, { type: 'error' }>, plugin: string): AttackProcessError {
  const e: Partial<Record<'message' | 'code' | 'stack', unknown>> =
    typeof message.error === 'object' && message.error !== null ? message.error : {};
  const step =
    CHILD_PHASES.includes(message.phase) && message.phase !== 'attack' ? ` (in its ${message.phase} step)` : '';
  const text = capText(
    typeof e.message === 'string' && e.message.length > 0
      ? e.message
      : 'the attack reported an error without a message',
  );
  const error: AttackProcessError = { message: step ? `${text}${step}` : text, phase: 'attack', plugin };
  if (typeof e.code === 'string') error.code = capText(e.code, 64);
  if (typeof e.stack === 'string') error.stack = capText(e.stack, MAX_STACK_CHARS);
  return error;
}
