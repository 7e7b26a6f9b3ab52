// Hostile attacks that try to outlive their cell, each through a real cell (issue 16.4): one tries every way to start
// another process (spawn detached, exec, fork, a worker thread); one ignores every catchable signal and spins in a
// loop that never yields. Contained: the first is refused each time, the second is killed at its deadline, and after
// the run no process of either is left (the kernel kills the attack's PID namespace with it).
import { describe, expect, it } from 'vitest';
import { hostileAttack, runUndefended, type HostileRun } from './hostile-cells.ts';
import { expectContained, reportOf } from './process-helpers.ts';

const attacks = {
  'hostile-spawns-detached': hostileAttack(
    'hostile-spawns-detached',
    `
  const report = { started: [], refused: {} };
  const attempt = (name, how) => {
    try { how(); report.started.push(name); } catch (error) { report.refused[name] = error.code ?? String(error); }
  };
  attempt('spawn detached', () => spawn('sleep', ['600'], { detached: true, stdio: 'ignore' }).unref());
  attempt('execSync', () => execSync('sleep 600 &'));
  attempt('fork', () => fork('/dev/null', { detached: true }));
  attempt('worker thread', () => new Worker('setInterval(() => {}, 1000)', { eval: true }));
  throw new Error('REPORT ' + JSON.stringify(report));`,
    `import { execSync, fork, spawn } from 'node:child_process';\nimport { Worker } from 'node:worker_threads';`,
  ),
  'hostile-outlives-cell': hostileAttack(
    'hostile-outlives-cell',
    `
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR2', 'SIGPIPE']) process.on(signal, () => {});
  process.on('disconnect', () => {});
  for (;;) {}`,
  ),
};

describe('an attack leaves no process behind', () => {
  let run: HostileRun;

  it('runs the hostile attacks as real cells', async () => {
    // cellTimeoutSeconds 40: the attack's deadline is a quarter before the cell's, about 30 s.
    run = await runUndefended(attacks, { budget: 8, cellTimeoutSeconds: 40 });
  }, 300_000);

  it('every attempt to start another process or thread is refused', () => {
    expectContained(run, 'hostile-spawns-detached');
    const report = reportOf(run, 'hostile-spawns-detached');
    expect(report.started).toEqual([]);
    expect(Object.keys(report.refused as object).sort()).toEqual([
      'execSync',
      'fork',
      'spawn detached',
      'worker thread',
    ]);
  });

  it('an attack that ignores signals and never yields is killed at its deadline, with nothing left running', () => {
    expectContained(run, 'hostile-outlives-cell', 'timed-out');
  });
});
