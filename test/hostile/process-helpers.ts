// Shared by the process hostile tests (test/hostile/process-*.test.ts): how each hostile attack's record must look
// when the attack is contained.
import { expect } from 'vitest';
import { detectIsolation } from '../../benchmark/oracle/attack-sandbox.ts';
import { expectNothingLeftBehind, type HostileRun } from './hostile-cells.ts';

/**
 * The routes to the harness's processes are closed only with strong isolation (namespaces); without it (macOS,
 * STEALBENCH_ISOLATION=weak) these attacks would really signal the user's processes, so they do not run there.
 */
export const strongIsolation = detectIsolation().strong;

/** The report a hostile attack throws (`throw new Error('REPORT ' + JSON.stringify(report))`), parsed back. */
export function reportOf(run: HostileRun, id: string): Record<string, unknown> {
  const message = run.records[`none/${id}`]?.error?.message ?? '';
  const json = /REPORT (\{.*\})/.exec(message)?.[1];
  if (json === undefined) throw new Error(`the record of ${id} holds no report: ${message}`);
  return JSON.parse(json) as Record<string, unknown>;
}

/**
 * Contained: the victim unread (the cell did not complete), the failure blamed on the attack in phase 'attack' (or
 * 'timed-out' when expected), and no process or temp folder of the run left.
 */
export function expectContained(run: HostileRun, id: string, state: 'failed' | 'timed-out' = 'failed'): void {
  const record = run.records[`none/${id}`];
  expect(record, `no record for ${id}: ${run.stdout}`).toBeDefined();
  expect(record!.state, JSON.stringify(record!.error)).toBe(state);
  expect(record!.metrics).toBeUndefined();
  expect(record!.error).toMatchObject({ phase: 'attack', plugin: id });
  expectNothingLeftBehind(run);
}
