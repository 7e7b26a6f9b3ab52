// Defenses that tell roles apart by name or by order, through real cells: one flags any account whose id says
// 'attacker'; one flags the first account to query and everything it sends (under the old harness the attacker
// queried first and the legitimate users only after it). With opaque ids and interleaved traffic neither earns
// detection credit: the attacker is not flagged and none of its queries are.
import { describe, expect, it } from 'vitest';
import {
  expectNothingLeftBehind,
  HONEST_ID,
  hostileDefense,
  runAgainstHonestAttack,
  type HostileRun,
} from './hostile-cells.ts';

const defense = (id: string, suspect: string) =>
  hostileDefense(
    id,
    `
  const seen = [];
  const suspect = (account) => { ${suspect} };
  return {
    async answer({ account, clean }) {
      if (!seen.includes(account)) seen.push(account);
      return { answer: { data: clean.data.slice(), count: clean.count, dim: clean.dim }, flagged: Array.from({ length: clean.count }, () => suspect(account)) };
    },
    report: () => seen.map((account) => ({ account, flagged: suspect(account), score: suspect(account) ? 1 : 0 })),
  };
`,
  );

const defenses: Record<string, string> = {
  'hostile-flags-by-name': defense('hostile-flags-by-name', `return /attack/i.test(account);`),
  'hostile-flags-first': defense('hostile-flags-first', `return account === seen[0];`),
};

describe('no detection credit for telling roles apart by name or order', () => {
  let run: HostileRun;

  it('runs both defenses against an honest two-account attack as real cells', async () => {
    run = await runAgainstHonestAttack(defenses);
  }, 1_500_000);

  it.each(Object.keys(defenses))('%s completes and never flags the attacker', (id) => {
    const record = run.records[`${id}/${HONEST_ID}`]!;
    expect(record.state, JSON.stringify(record.error)).toBe('completed');
    expect(record.metrics!.detection).toMatchObject({
      attackerFlagged: false,
      attackerAccounts: 2,
      attackerAccountsFlagged: 0,
      attackerFlaggedQueryRate: 0,
    });
    // The record keeps who was who, so detection is still scored: 2 attacker accounts and 2 legitimate users.
    const roles = Object.values(record.traffic!.accounts);
    expect(roles.filter((r) => r === 'attacker')).toHaveLength(2);
    expect(roles.filter((r) => r === 'legitimate')).toHaveLength(2);
    expect(record.traffic!.attackerQueries).toBe(64);
  });

  it('the first account to query is a legitimate user (so "first = attacker" flags a user)', () => {
    expect(run.records[`hostile-flags-first/${HONEST_ID}`]!.metrics!.detection!.legitimateFlagged).toBe(1);
    expect(run.records[`hostile-flags-by-name/${HONEST_ID}`]!.metrics!.detection!.legitimateFlagged).toBe(0);
  });

  it('leaves no process and no temp file behind', () => expectNothingLeftBehind(run));
});
