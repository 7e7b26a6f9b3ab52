// Harness temp folders carry their maker's pid: removed when it exits, swept by a later run once it is dead, never
// while it lives. And the isolation policy: attacks do not run without strong isolation unless weak is asked for.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { makeTempDir, removeTempDir, sweepStaleTempDirs } from '../benchmark/util/temp-dirs.ts';
import { applyIsolationPolicy, IsolationUnavailableError, type Isolation } from '../benchmark/oracle/attack-sandbox.ts';

const base = mkdtempSync(join(tmpdir(), 'temp-dirs-test-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** The pid of a process that has exited (just ran `true`). */
function deadPid(): number {
  const ran = spawnSync('true');
  return ran.pid!;
}

describe('harness temp folders', () => {
  it('are named with the pid of their maker and removed on demand', () => {
    const dir = makeTempDir('unit-test', base);
    expect(dir).toMatch(new RegExp(`/stealbench-unit-test-${process.pid}-[A-Za-z0-9]{6}$`));
    expect(existsSync(dir)).toBe(true);
    removeTempDir(dir);
    expect(existsSync(dir)).toBe(false);
  });

  it('a sweep removes the folders of dead pids and keeps those of live ones and everything else', () => {
    const dead = join(base, `stealbench-attack-${deadPid()}-AbC123`);
    const live = makeTempDir('cell', base);
    const other = join(base, 'stealbench-notes');
    const foreign = join(base, `someone-else-${deadPid()}-x`);
    for (const dir of [dead, other, foreign]) mkdirSync(dir);
    expect(sweepStaleTempDirs(base)).toEqual([dead]);
    expect([dead, live, other, foreign].map(existsSync)).toEqual([false, true, true, true]);
    removeTempDir(live);
  });

  it('are removed when their process exits, even on process.exit', () => {
    const script = `import { makeTempDir } from ${JSON.stringify(join(process.cwd(), 'benchmark/util/temp-dirs.ts'))};
      console.log(makeTempDir('child', ${JSON.stringify(base)})); process.exit(3);`;
    const ran = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    expect(ran.status).toBe(3);
    const dir = ran.stdout.trim();
    expect(dir).toMatch(/stealbench-child-\d+-/);
    expect(existsSync(dir)).toBe(false);
  });
});

describe('isolation policy', () => {
  const weak: Isolation = {
    level: 'process-group',
    strong: false,
    setpriv: false,
    prlimit: false,
    description: 'own process group only (test)',
  };

  it('refuses weak isolation by default, naming the way out', () => {
    expect(() => applyIsolationPolicy(weak, {})).toThrow(IsolationUnavailableError);
    expect(() => applyIsolationPolicy(weak, { STEALBENCH_ISOLATION: 'strict' })).toThrow(/STEALBENCH_ISOLATION=weak/);
  });

  it('runs with weak isolation only when asked, and says so on stderr', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(applyIsolationPolicy(weak, { STEALBENCH_ISOLATION: 'weak' })).toBe(weak);
      expect(String(write.mock.calls[0]?.[0])).toMatch(/WARNING: weak attack isolation/);
    } finally {
      write.mockRestore();
    }
  });

  it(
    'passes strong isolation through whatever the environment says; a user ' + 'namespace with a notice of its limit',
    () => {
      const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        const uid: Isolation = { ...weak, level: 'separate-uid', strong: true };
        expect(applyIsolationPolicy(uid, {})).toBe(uid);
        expect(write).not.toHaveBeenCalled();
        const userns: Isolation = { ...weak, level: 'user-namespace', strong: true, description: 'same uid (test)' };
        expect(applyIsolationPolicy(userns, {})).toBe(userns);
        expect(String(write.mock.calls[0]?.[0])).toMatch(/note: attack isolation: same uid \(test\)\. Run untrusted/);
      } finally {
        write.mockRestore();
      }
    },
  );
});
