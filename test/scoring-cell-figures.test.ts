import { describe, expect, it } from 'vitest';
import { attackerCost, detectionFigures, meanAccountCost } from '../benchmark/scoring/cell-figures.ts';
import type { AuditEntry } from '../benchmark/oracle/oracle.ts';

const entry = (account: string, count: number, guard?: AuditEntry['guard']): AuditEntry => ({
  seq: 0,
  account,
  time: 0,
  count,
  hashes: Array.from({ length: count }, (_, i) => String(i)),
  ...(guard ? { guard } : {}),
});

describe('cell figures from the audit log', () => {
  it('sums what the attacker paid, batch by batch', () => {
    const audit = [
      entry('a', 3, { flaggedCount: 0, cost: { hashes: 100, seconds: 0.5 } }),
      entry('a', 2, { flaggedCount: 0, cost: { hashes: 28, seconds: 0.25 } }),
    ];
    expect(attackerCost(audit, 7)).toEqual({ queries: 5, attackSeconds: 7, hashes: 128, powSeconds: 0.75 });
    expect(attackerCost([entry('a', 4)], 1)).toEqual({ queries: 4, attackSeconds: 1 });
  });
  it('averages legitimate users', () => {
    const one = [entry('u1', 10, { flaggedCount: 0, cost: { hashes: 10 } })];
    const two = [entry('u2', 30, { flaggedCount: 0, cost: { hashes: 30 } })];
    expect(meanAccountCost([one, two])).toEqual({ queries: 20, hashes: 20 });
    expect(meanAccountCost([[entry('u1', 4)], [entry('u2', 6)]])).toEqual({ queries: 5 });
  });
  it('reads detection from verdicts and per-query flags', () => {
    const audits: Record<string, AuditEntry[]> = {
      attacker: [entry('attacker', 4, { flaggedCount: 3, flagged: [true, true, true, false] })],
      u1: [entry('u1', 4, { flaggedCount: 1, flagged: [false, true, false, false] })],
      u2: [entry('u2', 4, { flaggedCount: 0, flagged: [false, false, false, false] })],
    };
    const figures = detectionFigures(
      [
        { account: 'attacker', flagged: true, score: 0.75 },
        { account: 'u1', flagged: false },
        { account: 'u2', flagged: false },
      ],
      (a) => audits[a]!,
      ['attacker'],
      ['u1', 'u2'],
    );
    expect(figures).toEqual({
      attackerFlagged: true,
      attackerScore: 0.75,
      attackerAccounts: 1,
      attackerAccountsFlagged: 1,
      attackerFlaggedQueryRate: 0.75,
      legitimateAccounts: 2,
      legitimateFlagged: 0,
      legitimateFlaggedQueryRate: 0.125,
    });
    expect(detectionFigures(undefined, () => [entry('x', 2)], ['attacker'], [])).toBeUndefined();
  });
  it('counts a sybil attacker as all of its accounts', () => {
    // Three attacker accounts: one flagged (score 0.9), two not; 2 of 4 + 0 of 2 + 1 of 2 flagged queries = 3 of 8.
    const audits: Record<string, AuditEntry[]> = {
      s1: [entry('s1', 4, { flaggedCount: 2, flagged: [true, true, false, false] })],
      s2: [entry('s2', 2, { flaggedCount: 0, flagged: [false, false] })],
      s3: [entry('s3', 2, { flaggedCount: 1, flagged: [false, true] })],
      u1: [entry('u1', 2, { flaggedCount: 0, flagged: [false, false] })],
    };
    const reports = [
      { account: 's1', flagged: false, score: 0.2 },
      { account: 's2', flagged: true, score: 0.9 },
      { account: 's3', flagged: false },
      { account: 'u1', flagged: false, score: 0.95 },
    ];
    expect(detectionFigures(reports, (a) => audits[a]!, ['s1', 's2', 's3'], ['u1'])).toEqual({
      attackerFlagged: true,
      attackerScore: 0.9,
      attackerAccounts: 3,
      attackerAccountsFlagged: 1,
      attackerFlaggedQueryRate: 3 / 8,
      legitimateAccounts: 1,
      legitimateFlagged: 0,
      legitimateFlaggedQueryRate: 0,
    });
    // Nothing flagged on any of its accounts: not flagged, whatever the other accounts' verdicts.
    const clean = reports.map((r) => ({ ...r, flagged: r.account === 'u1' }));
    expect(detectionFigures(clean, (a) => audits[a]!, ['s1', 's2', 's3'], ['u1'])).toMatchObject({
      attackerFlagged: false,
      attackerAccountsFlagged: 0,
      legitimateFlagged: 1,
    });
  });
});
