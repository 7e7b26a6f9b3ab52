// Hostile attacks that reach for the processes around them, each through a real cell (issue 16.3): one signals its
// parent and every other pid with SIGUSR1 (which opens a Node process's inspector) and then connects to the inspector
// port; one tries to kill, stop or read the memory of its parent and every other process it can name. Contained: no
// signal reaches a harness process (neither the worker's log nor the main process's output shows an opened inspector
// or a caught SIGUSR1), no connection is made, and the worker lives to record the attack's own report, blamed on the
// attack. The evidence is the harness's: what the attack says it reached is kept in its report only for reading
// (it reaches its own threads, which are all it can name).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectIsolation } from '../../benchmark/oracle/attack-sandbox.ts';
import { hostileAttack, runUndefended, type HostileRun } from './hostile-cells.ts';
import { expectContained, reportOf, strongIsolation } from './process-helpers.ts';

/** A Unix socket of the harness's user (in a 0700 folder), like an ssh-agent or D-Bus socket: the network namespace
 * does not cover path sockets, and Node 20's permission model does not guard connect(). */
const socketDir = mkdtempSync(join(tmpdir(), 'hostile-socket-'));
const socketPath = join(socketDir, 'agent.sock');

/** Tries `signal` on the parent, on pid 0 / -1 (own group / everything), then on every pid up to 65536. */
const signalEveryone = (signal: string) => `
  const report = { pid: process.pid, ppid: process.ppid, uid: process.getuid(), reached: [], refused: {} };
  const attempt = (pid, how) => {
    try { how(); report.reached.push(pid); } catch (error) { report.refused[error.code] = (report.refused[error.code] ?? 0) + 1; }
  };
  attempt('ppid', () => process.kill(process.ppid, '${signal}'));
  for (let pid = 2; pid <= 65536; pid++) if (pid !== process.pid) attempt(pid, () => process.kill(pid, '${signal}'));`;

const attacks = {
  'hostile-sigusr1': hostileAttack(
    'hostile-sigusr1',
    `${signalEveryone('SIGUSR1')}
  attempt('debugProcess(ppid)', () => process._debugProcess(process.ppid));
  await new Promise((resolve) => setTimeout(resolve, 1500));
  report.connect = {};
  for (const host of ['127.0.0.1', '::1', 'localhost']) {
    report.connect[host] = await new Promise((resolve) => {
      const socket = net.connect({ host, port: 9229 });
      socket.on('connect', () => { socket.destroy(); resolve('connected'); });
      socket.on('error', (error) => resolve(error.code));
    });
  }
  for (const path of [${JSON.stringify(socketPath)}, '/run/dbus/system_bus_socket', '/var/run/docker.sock']) {
    report.connect[path] = await new Promise((resolve) => {
      const socket = net.connect({ path });
      socket.on('connect', () => { socket.destroy(); resolve('connected'); });
      socket.on('error', (error) => resolve(error.code));
    });
  }
  throw new Error('REPORT ' + JSON.stringify(report));`,
    `import net from 'node:net';`,
  ),
  'hostile-kills-parent': hostileAttack(
    'hostile-kills-parent',
    `${signalEveryone('SIGSTOP')}
  for (let pid = 2; pid <= 65536; pid++) if (pid !== process.pid) attempt(pid, () => process.kill(pid, 'SIGKILL'));
  attempt('ppid', () => process.kill(process.ppid, 'SIGKILL'));
  attempt('group', () => process.kill(0, 'SIGTERM'));
  attempt('all', () => process.kill(-1, 'SIGKILL'));
  // What a debugger reads: the parent's memory, environment and root (ptrace itself needs native code, refused).
  for (const file of ['mem', 'environ', 'root/etc/hostname']) {
    attempt('/proc/ppid/' + file, () => readFileSync('/proc/' + (process.ppid || 1) + '/' + file));
  }
  throw new Error('REPORT ' + JSON.stringify(report));`,
    `import { readFileSync } from 'node:fs';`,
  ),
};

describe.runIf(strongIsolation)('an attack cannot reach the processes around it', () => {
  let run: HostileRun;
  let socketConnections = 0;
  const server = createServer((connection) => {
    socketConnections++;
    connection.destroy();
  });
  afterAll(() => {
    server.close();
    rmSync(socketDir, { recursive: true, force: true });
  });

  it('runs the hostile attacks as real cells', async () => {
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    run = await runUndefended(attacks, { budget: 8, cellTimeoutSeconds: 120 });
  }, 300_000);

  it('SIGUSR1 reaches no other process and no inspector can be connected to', () => {
    expectContained(run, 'hostile-sigusr1');
    const report = reportOf(run, 'hostile-sigusr1');
    // It sees no parent: its PID namespace holds only itself.
    expect(report.ppid).toBe(0);
    for (const result of Object.values(report.connect as Record<string, string>)) expect(result).not.toBe('connected');
    const log = run.logs['none/hostile-sigusr1']!;
    expect(log).not.toMatch(/Debugger listening|ignored SIGUSR1/);
    expect(run.stdout).not.toMatch(/Debugger listening|ignored SIGUSR1/);
    // Under a uid of its own (root), the user's sockets are closed to it too; in a user namespace they are not
    // (SECURITY.md says so, and the run prints a notice).
    if (detectIsolation().level === 'separate-uid') {
      expect((report.connect as Record<string, string>)[socketPath]).toBe('EACCES');
      expect(socketConnections).toBe(0);
    }
  });

  it("no process can be killed, stopped or read, and the worker lives to record the attack's report", () => {
    expectContained(run, 'hostile-kills-parent');
    // The report reached the record: the worker was neither killed nor stopped, and the main process finished.
    expect(reportOf(run, 'hostile-kills-parent').ppid).toBe(0);
    expect(run.records['none/hostile-sigusr1']).toBeDefined();
  });
});
