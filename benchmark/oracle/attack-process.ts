// Runs one attack in its own process, so that it sees the victim only through the oracle.
//
// The parent (this module) holds the oracle and the account. It bundles the attack (attack-bundle.ts) into a private
// temp dir, writes the query pool there as a binary file, and starts the bundle with an IPC channel. The child gets
// only: the plugin (compiled into the bundle), its validated options, seed, budget, deadline, the pool file and an
// output dir for the stolen encoder. It runs under Node's permission model (Node 20: `--experimental-permission`):
//   read:  node_modules, the private temp dir, the attack's own folder, the output dir (and `extraReadPaths`);
//   write: the output dir only;   denied: child processes, worker threads, native addons, everything else.
// The harness's own sources are not readable: the child runs the bundle, not the TypeScript tree (tsx could not run
// there: it compiles through an esbuild service started as a child process, which the permission model forbids).
// The child gets a minimal environment (no inherited secrets). The deadline is enforced here: past it the child is
// killed (SIGKILL) and the result is `timed-out`.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODEL_FILES } from '../nn/model-io.ts';
import type { ImageSet } from '../plugin/types.ts';
import { bundleAttack } from './attack-bundle.ts';
import type { AttackPhase, ChildMessage, ParentMessage, StartMessage } from './attack-protocol.ts';
import { answerOracleRequest } from './ipc-server.ts';
import type { Oracle } from './oracle.ts';
import { writePoolFile } from './pool-file.ts';

export interface AttackProgress {
  done: number;
  total: number;
  message?: string;
}

export interface AttackProcessOptions {
  /** Absolute path of the attack plugin's module (its folder becomes readable to the child). */
  modulePath: string;
  /** Plugin id for error records until the child reports the plugin's own `meta.id`. */
  pluginId?: string;
  /** Options already validated against the plugin's schema (defaults applied). */
  options: Record<string, unknown>;
  seed: number;
  /** The oracle and the account (already opened) the attack spends; its remaining budget is the attack's budget. */
  oracle: Oracle;
  account: string;
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
  /** Extra read-only paths (e.g. a dataset the attack is allowed to use). */
  extraReadPaths?: string[];
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

function answeredImages(oracle: Oracle, account: string): number {
  return oracle.audit(account).reduce((sum, entry) => sum + entry.count, 0);
}

export async function runAttackProcess(opts: AttackProcessOptions): Promise<AttackProcessResult> {
  const started = performance.now();
  const usedBefore = answeredImages(opts.oracle, opts.account);
  const modulePath = resolve(opts.modulePath);
  let plugin = opts.pluginId ?? dirname(modulePath).split(/[\\/]/).pop()!;
  const finish = (state: AttackProcessResult['state'], extra: Partial<AttackProcessResult> = {}): AttackProcessResult => ({
    state,
    ...extra,
    queriesUsed: answeredImages(opts.oracle, opts.account) - usedBefore,
    seconds: (performance.now() - started) / 1000,
  });
  if (!existsSync(modulePath)) {
    return finish('failed', { error: { message: `attack module not found: ${modulePath}`, phase: 'load', plugin } });
  }
  // Real paths: the permission model compares resolved paths, and /tmp may be a symlink on some systems.
  const privateDir = realpathSync(mkdtempSync(join(tmpdir(), 'stealbench-attack-')));
  mkdirSync(opts.outputDir, { recursive: true });
  const outputDir = realpathSync(opts.outputDir);
  const poolFile = join(privateDir, 'pool.bin');
  writePoolFile(poolFile, opts.pool);
  const bundle = join(privateDir, 'attack.mjs');
  try {
    await bundleAttack(modulePath, bundle);
  } catch (error) {
    rmSync(privateDir, { recursive: true, force: true });
    return finish('failed', { error: { message: `could not compile the attack: ${(error as Error).message}`, phase: 'load', plugin } });
  }
  // The bundle's bare imports (tfjs…) resolve through this link to the project's node_modules.
  const nodeModules = realpathSync(join(repoRoot, 'node_modules'));
  symlinkSync(nodeModules, join(privateDir, 'node_modules'), 'dir');
  const readPaths = [
    nodeModules,
    privateDir,
    dirname(modulePath),
    outputDir,
    ...(opts.extraReadPaths ?? []).map((p) => resolve(p)),
  ];
  const start: StartMessage = {
    type: 'start',
    modulePath,
    options: opts.options,
    seed: opts.seed,
    budget: opts.oracle.budget(opts.account).remaining,
    deadline: opts.deadline,
    poolFile,
    outputDir,
    ...(opts.backend === undefined ? {} : { backend: opts.backend }),
    oracle: { output: opts.oracle.output, inputShape: [...opts.oracle.inputShape] as [number, number, number], outputDim: opts.oracle.outputDim },
  };

  let child: ChildProcess | undefined;
  try {
    child = fork(bundle, [], {
      cwd: privateDir,
      execPath: process.execPath,
      execArgv: [...permissionFlags(readPaths, outputDir), '--enable-source-maps', '--no-warnings'],
      // Minimal environment: the attack inherits nothing from the harness's shell.
      env: { NODE_ENV: 'production', ...(process.env.PATH ? { PATH: process.env.PATH } : {}) },
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    return await supervise(child, start, opts, (id) => (plugin = id), () => plugin, finish);
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(privateDir, { recursive: true, force: true });
  }
}

function supervise(
  child: ChildProcess,
  start: StartMessage,
  opts: AttackProcessOptions,
  setPlugin: (id: string) => void,
  plugin: () => string,
  finish: (state: AttackProcessResult['state'], extra?: Partial<AttackProcessResult>) => AttackProcessResult,
): Promise<AttackProcessResult> {
  return new Promise((resolvePromise) => {
    let outcome: AttackProcessResult | undefined;
    let backend: string | undefined;
    let stderrTail = '';
    const keepTail = (chunk: Buffer) => {
      stderrTail = (stderrTail + chunk.toString('utf8')).slice(-4000);
    };
    child.stderr?.on('data', keepTail);
    child.stdout?.on('data', (chunk: Buffer) => opts.onLog?.(chunk.toString('utf8').trimEnd()));
    const settle = (result: AttackProcessResult) => {
      if (outcome) return;
      outcome = backend === undefined ? result : { ...result, backend };
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const timer = setTimeout(
      () => settle(finish('timed-out', { error: { message: `attack did not finish before its deadline (${new Date(start.deadline).toISOString()})`, phase: 'attack', plugin: plugin() } })),
      Math.max(0, start.deadline - Date.now()),
    );
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
          if (typeof message.plugin === 'string') setPlugin(message.plugin);
          break;
        case 'budget':
        case 'query':
          void answerOracleRequest(opts.oracle, opts.account, message).then((answer) => !outcome && reply(answer));
          break;
        case 'progress':
          opts.onProgress?.({ done: Number(message.done), total: Number(message.total), ...(message.message === undefined ? {} : { message: String(message.message) }) });
          break;
        case 'log':
          opts.onLog?.(String(message.message));
          break;
        case 'done':
          const missing = Object.values(MODEL_FILES).filter((name) => !existsSync(join(start.outputDir, name)));
          if (missing.length > 0) {
            settle(finish('failed', { error: { message: `the attack reported done but ${start.outputDir} lacks ${missing.join(', ')}`, phase: 'save', plugin: plugin() } }));
          } else {
            settle(finish('completed', { modelDir: start.outputDir }));
          }
          break;
        case 'error': {
          const e = message.error ?? { message: 'unknown error', name: 'Error' };
          settle(finish('failed', {
            error: { message: String(e.message), phase: message.phase, plugin: message.plugin ?? plugin(), ...(e.code ? { code: e.code } : {}), ...(e.stack ? { stack: e.stack } : {}) },
          }));
          break;
        }
      }
    });
    child.on('error', (error) => settle(finish('failed', { error: { message: `attack process: ${error.message}`, phase: 'worker', plugin: plugin() } })));
    child.on('exit', (code, signal) => {
      if (!outcome) {
        const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        const tail = stderrTail.trim();
        settle(finish('failed', { error: { message: `attack process ${why} before reporting a result${tail ? `: ${tail}` : ''}`, phase: 'worker', plugin: plugin() } }));
      }
      resolvePromise(outcome!);
    });
    child.send(start);
  });
}
