// The operating-system side of the attack's sandbox: how its process is started so that it cannot reach any harness
// process (signal it, ptrace it, connect to its inspector) and cannot outgrow its limits. Node's permission model
// (attack-process.ts) guards files, child processes and workers inside the process; this guards what is outside it.
//
// Levels, strongest first (measured on Linux 6.x / Node 20, see SECURITY.md):
//   separate-uid    root: new PID + network namespaces (`unshare`), then a uid/gid of its own with no groups, no
//                   capabilities, no new privileges (`setpriv`). It sees no harness pid, has no network, and owns none
//                   of the harness's processes or files.
//   user-namespace  non-root with unprivileged user namespaces: the same PID + network namespaces inside a new user
//                   namespace. Same uid as the harness, but no harness pid can be named, so none can be signalled.
//                   Weaker in one way (measured): it can still connect to Unix sockets the user owns (ssh-agent,
//                   D-Bus, docker.sock), which Node 20's permission model does not guard; a notice says so.
//   process-group   anything else (macOS, Windows, Linux without namespaces): only a session and process group of
//                   its own. A same-uid attack can still signal the harness by pid. Refused unless
//                   STEALBENCH_ISOLATION=weak.
// At every level where util-linux is present: `setpriv --pdeathsig=KILL` (the process tree dies with the worker) and
// `prlimit` (memory, CPU time, file size, core dumps, open files).
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

export type IsolationLevel = 'separate-uid' | 'user-namespace' | 'process-group';

export interface Isolation {
  level: IsolationLevel;
  /** True when no harness process can be signalled, traced or connected to from the attack's process. */
  strong: boolean;
  /** util-linux tools found (setpriv for pdeathsig, prlimit for rlimits). */
  setpriv: boolean;
  prlimit: boolean;
  /** One line for people: what holds and what does not. */
  description: string;
}

/** `strict` (default): refuse to run attacks without strong isolation. `weak`: run them anyway, with a warning. */
export const ISOLATION_ENV = 'STEALBENCH_ISOLATION';

export class IsolationUnavailableError extends Error {
  readonly code = 'ISOLATION_UNAVAILABLE';
}

/** Limits applied to the attack's process through rlimits (prlimit). */
export interface SandboxLimits {
  /** RLIMIT_DATA: heap, Buffers and wasm memory together (RLIMIT_AS would break wasm, which reserves ~10 GiB). */
  dataBytes: number;
  /** RLIMIT_CPU (soft = hard: the attack is PID 1 of its namespace and would ignore SIGXCPU, so SIGKILL it is). */
  cpuSeconds: number;
  /** RLIMIT_FSIZE: the largest file it may write (its saved model). */
  fileBytes: number;
}

const has = (command: string) => spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;

/** Runs `true` through a candidate prefix: the cheapest honest test that the kernel and container allow it. */
const works = (prefix: string[]) =>
  spawnSync(prefix[0]!, [...prefix.slice(1), 'true'], { stdio: 'ignore', timeout: 10_000 }).status === 0;

let detected: Isolation | undefined;

/** What this machine allows (probed once per process, about 30 ms). */
export function detectIsolation(): Isolation {
  if (detected) return detected;
  const linux = process.platform === 'linux';
  const setpriv = linux && has('setpriv');
  const prlimit = linux && has('prlimit');
  const unshare = linux && has('unshare');
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const tools = { setpriv, prlimit };
  if (unshare && setpriv && root && works(namespacePrefix('separate-uid', probeUid()))) {
    detected = {
      level: 'separate-uid',
      strong: true,
      ...tools,
      description: 'separate uid/gid without capabilities, own PID and network namespaces (no network)',
    };
  } else if (unshare && setpriv && works(namespacePrefix('user-namespace', 0))) {
    detected = {
      level: 'user-namespace',
      strong: true,
      ...tools,
      description:
        'own user, PID and network namespaces (no network; same uid as the harness, so it can still ' +
        "connect to the user's own Unix sockets: ssh-agent, D-Bus, docker.sock)",
    };
  } else {
    const why = !linux
      ? `${process.platform} has no PID namespaces`
      : !unshare || !setpriv
        ? 'util-linux (unshare, setpriv) is not installed'
        : 'this kernel or container does not allow new PID and network namespaces' +
          (root ? '' : ' (unprivileged user namespaces are off)');
    detected = {
      level: 'process-group',
      strong: false,
      ...tools,
      description:
        `own process group only (${why}): an attack can still signal harness ` + `processes that run as the same user`,
    };
  }
  return detected;
}

/** Throws unless attacks can run here: strong isolation, or weak with STEALBENCH_ISOLATION=weak (then warns once). */
export function requireIsolation(): Isolation {
  return applyIsolationPolicy(detectIsolation(), process.env);
}

/** requireIsolation's decision for a given machine and environment (exported for tests). */
export function applyIsolationPolicy(isolation: Isolation, env: Record<string, string | undefined>): Isolation {
  if (isolation.level === 'user-namespace') {
    warnOnce(
      `stealbench: note: attack isolation: ${isolation.description}. Run untrusted attack plugins as root ` +
        '(each then gets a uid of its own), e.g. in CI, not in your own account.',
    );
  }
  if (isolation.strong) return isolation;
  const policy = env[ISOLATION_ENV] ?? 'strict';
  if (policy !== 'weak') {
    throw new IsolationUnavailableError(
      `stealbench will not run attack plugins here: ${isolation.description}. ` +
        'An attack could signal or debug the worker that holds the victim (see SECURITY.md). ' +
        `Run on Linux with util-linux as root or with user namespaces, or set ${ISOLATION_ENV}=weak to run ` +
        'trusted plugins only, with weaker isolation.',
    );
  }
  warnOnce(
    `stealbench: WARNING: weak attack isolation (${ISOLATION_ENV}=weak): ${isolation.description}. ` +
      'Do not run untrusted attack plugins; records of this run are not fit for the leaderboard.',
  );
  return isolation;
}

const warned = new Set<string>();
function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  process.stderr.write(`${message}\n`);
}

/** Attack uids live in [UID_BASE, UID_BASE + 2^28): far above any real account, distinct per attack process. */
const UID_BASE = 1_600_000_000;
let sequence = 0;

/** A uid no other attack process on this machine uses at the same time (worker pid × 16 + a sequence number). */
export function attackUid(): number {
  return UID_BASE + ((process.pid * 16 + (sequence++ % 16)) % 2 ** 28);
}

function probeUid(): number {
  return UID_BASE + 2 ** 28 - 1;
}

function namespacePrefix(level: IsolationLevel, uid: number): string[] {
  if (level === 'separate-uid') {
    return [
      'unshare',
      '--pid',
      '--net',
      '--fork',
      '--kill-child',
      '--',
      'setpriv',
      `--reuid=${uid}`,
      `--regid=${uid}`,
      '--clear-groups',
      '--no-new-privs',
      '--bounding-set=-all',
      '--inh-caps=-all',
      '--',
    ];
  }
  if (level === 'user-namespace') {
    return ['unshare', '--user', '--pid', '--net', '--fork', '--kill-child', '--', 'setpriv', '--no-new-privs', '--'];
  }
  return [];
}

/**
 * The command that starts `node <nodeArgs>` inside the sandbox. Start it with `detached: true` (own session and
 * process group: `kill(0, …)` from the attack reaches only its own tree) and kill it with `killSandbox`.
 */
export function sandboxCommand(
  isolation: Isolation,
  uid: number,
  limits: SandboxLimits,
  nodeArgs: string[],
): {
  file: string;
  args: string[];
} {
  const chain: string[] = [];
  // The tree dies with the process that started it (the worker), however that one ends.
  if (isolation.setpriv) chain.push('setpriv', '--pdeathsig=KILL', '--');
  chain.push(...namespacePrefix(isolation.level, uid));
  if (isolation.prlimit) {
    chain.push(
      'prlimit',
      `--data=${Math.floor(limits.dataBytes)}`,
      `--cpu=${Math.ceil(limits.cpuSeconds)}`,
      `--fsize=${Math.floor(limits.fileBytes)}`,
      '--core=0',
      '--nofile=1024',
      // Per uid: only meaningful (and harmless) when the uid is the attack's own.
      ...(isolation.level === 'separate-uid' ? ['--nproc=512'] : []),
      '--',
    );
  }
  chain.push(process.execPath, ...nodeArgs);
  return { file: chain[0]!, args: chain.slice(1) };
}

/** CPU seconds for a wall-clock budget: every core for the whole time (the deadline stays the real bound). */
export function cpuSecondsFor(wallSeconds: number): number {
  return Math.max(10, Math.ceil(wallSeconds * availableParallelism()) + 10);
}

/** SIGKILLs the sandbox's whole process group (started detached, so its pgid is its pid). */
export function killSandbox(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
