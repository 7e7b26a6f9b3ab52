// Hostile (or just broken) defenses, each through a real cell: a guard whose answer() throws, returns vectors of the
// wrong length, NaN or Infinity. The oracle validates every answer a guard returns, as it validates queries, so each
// is refused uncharged and the cell fails in phase 'defense', blamed on the defense, not on the attack that met it
// (the attack here catches the errors and completes: the fault is still the defense's).
import { describe, expect, it } from 'vitest';
import {
  expectNothingLeftBehind,
  HONEST_ID,
  hostileDefense,
  runAgainstHonestAttack,
  type HostileRun,
} from './hostile-cells.ts';

const defense = (id: string, answer: string) =>
  hostileDefense(id, ` return { async answer({ clean }) { ${answer} } }; `);

const defenses: Record<string, string> = {
  'hostile-guard-throws': defense('hostile-guard-throws', `throw new Error('the guard broke down');`),
  'hostile-guard-short': defense(
    'hostile-guard-short',
    `return { answer: { data: clean.data.slice(clean.dim), count: clean.count, dim: clean.dim } };`,
  ),
  'hostile-guard-nan': defense(
    'hostile-guard-nan',
    `return { answer: { data: clean.data.map(() => Number.NaN), count: clean.count, dim: clean.dim } };`,
  ),
  'hostile-guard-infinity': defense(
    'hostile-guard-infinity',
    `const data = clean.data.slice(); data[3] = Infinity; return { answer: ` +
      `{ data, count: clean.count, dim: clean.dim } };`,
  ),
};

const expected: Record<string, RegExp> = {
  'hostile-guard-throws':
    /^the defense guard threw on a batch: (defense 'hostile-guard-throws' failed in guard\.answer\(\): )?the guard broke down$/,
  'hostile-guard-short':
    /^the defense guard's answer to a batch of \d+ image\(s\) is invalid: answer: data length \d+, expected count × dim/,
  'hostile-guard-nan': /is invalid: answer: NaN at row 0, column 0; every value must be finite/,
  'hostile-guard-infinity': /is invalid: answer: Infinity at row 0, column 3; every value must be finite/,
};

describe("a defense's faults are blamed on the defense", () => {
  let run: HostileRun;

  it('runs every broken defense against an honest attack as a real cell', async () => {
    run = await runAgainstHonestAttack(defenses);
  }, 900_000);

  it.each(Object.keys(defenses))('%s: failed in phase defense, blamed on the defense, nothing charged', (id) => {
    const record = run.records[`${id}/${HONEST_ID}`]!;
    expect(record.state).toBe('failed');
    expect(record.error, JSON.stringify(record.error).slice(0, 2000)).toMatchObject({ phase: 'defense', plugin: id });
    expect(record.error!.message, record.error!.message).toMatch(expected[id]!);
    // Every batch was refused: nobody was charged for the defense's fault.
    expect(record.traffic).toMatchObject({ attackerQueries: 0, legitimateQueries: 0 });
  });

  it('leaves no process and no temp file behind', () => expectNothingLeftBehind(run));
});
