// Temp folders the harness makes (the attack's private folder with its query pool and bundle, a cell's work folder)
// carry the pid of the process that made them, so that none outlives it: the process removes its own when it exits
// (also on IPC disconnect, SIGTERM or SIGINT, which the worker turns into an exit), and a later run sweeps those whose
// process was killed too hard to clean up (SIGKILL, OOM killer).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'stealbench-';
/** `stealbench-<label>-<pid>-<random>`; the label is letters and dashes only, so the pid is the last number group. */
const NAME = /^stealbench-[a-z-]+-(\d+)-[^-]+$/;

const live = new Set<string>();
let hooked = false;

function removeAll(): void {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
  live.clear();
}

/** A fresh private folder (mode 0700) in the system temp folder, removed at the latest when this process exits. */
export function makeTempDir(label: string, base = tmpdir()): string {
  if (!/^[a-z]+(-[a-z]+)*$/.test(label))
    throw new Error(`makeTempDir: label must be lowercase words joined by '-', found "${label}"`);
  const dir = mkdtempSync(join(base, `${PREFIX}${label}-${process.pid}-`));
  live.add(dir);
  if (!hooked) {
    hooked = true;
    process.on('exit', removeAll);
  }
  return dir;
}

/** Removes a folder made by makeTempDir now. */
export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  live.delete(dir);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the pid exists but belongs to someone else; keep its folders (it may be a live run of another user).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes harness temp folders whose process is gone (killed with SIGKILL before it could clean up). Folders of live
 * processes are left alone, so concurrent runs and shards on one machine are safe. Returns what was removed.
 */
export function sweepStaleTempDirs(base = tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return removed;
  }
  for (const name of names) {
    const pid = NAME.exec(name)?.[1];
    if (pid === undefined || Number(pid) === process.pid || alive(Number(pid))) continue;
    try {
      rmSync(join(base, name), { recursive: true, force: true });
      removed.push(join(base, name));
    } catch {
      // Another user's folder in a shared /tmp (sticky bit): not ours to remove.
    }
  }
  return removed;
}
