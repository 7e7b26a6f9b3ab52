import { describe, expect, it } from 'vitest';
import { attackerCost, detectionFigures, meanAccountCost } from '../benchmark/scoring/cell-figures.ts';
import type { AuditEntry } from '../benchmark/oracle/oracle.ts';

const entry = (account: string, count: number, guard?: AuditEntry['guard']): AuditEntry => ({
  seq: 0, account, time: 0, count, hashes: Array.from({ length: count }, (_, i) => String(i)), ...(guard ? { guard } : {}),
});

describe('cell figures from the audit log', () => {
  it('sums what the attacker paid, batch by batch', () => {
    const audit = [entry('a', 3, { flaggedCount: 0, cost: { hashes: 100, seconds: 0.5 } }), entry('a', 2, { flaggedCount: 0, cost: { hashes: 28, seconds: 0.25 } })];
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
    const figures = detectionFigures([{ account: 'attacker', flagged: true, score: 0.75 }, { account: 'u1', flagged: false }, { account: 'u2', flagged: false }], (a) => audits[a]!, 'attacker', ['u1', 'u2']);
    expect(figures).toEqual({ attackerFlagged: true, attackerScore: 0.75, attackerFlaggedQueryRate: 0.75, legitimateAccounts: 2, legitimateFlagged: 0, legitimateFlaggedQueryRate: 0.125 });
    expect(detectionFigures(undefined, () => [entry('x', 2)], 'attacker', [])).toBeUndefined();
  });
});
