// Figures of one cell read from the oracle's audit log and the guard's verdicts: what the attacker paid, and whom
// the defense flagged. Everything comes from what the oracle recorded, not from what the attack says it did.
import type { AccountReport } from '../plugin/types.ts';
import type { AccountSummary, AuditEntry } from '../oracle/oracle.ts';
import type { CellTraffic, DetectionFigures } from '../runner/record.ts';
import { aggregateCost, type AttackCost } from './cost.ts';

/** Mean cost of one account over several (legitimate users): queries and any proof-of-work charged. */
export function meanAccountCost(audits: readonly (readonly AuditEntry[])[]): {
  queries: number;
  hashes?: number;
  powSeconds?: number;
} {
  const totals = audits.map((audit) => attackerCost(audit, 0));
  const mean = (pick: (cost: AttackCost) => number | undefined) => {
    const values = totals.map(pick).filter((value): value is number => value !== undefined);
    return values.length ? values.reduce((a, b) => a + b, 0) / totals.length : undefined;
  };
  const cost: { queries: number; hashes?: number; powSeconds?: number } = { queries: mean((c) => c.queries) ?? 0 };
  const hashes = mean((c) => c.hashes);
  const powSeconds = mean((c) => c.powSeconds);
  if (hashes !== undefined) cost.hashes = hashes;
  if (powSeconds !== undefined) cost.powSeconds = powSeconds;
  return cost;
}

export function attackerCost(audit: readonly AuditEntry[], attackSeconds: number): AttackCost {
  const perBatch = audit.map((entry) => ({
    queries: entry.count,
    ...(entry.guard?.cost?.hashes !== undefined ? { hashes: entry.guard.cost.hashes } : {}),
    ...(entry.guard?.cost?.seconds !== undefined ? { powSeconds: entry.guard.cost.seconds } : {}),
  }));
  return aggregateCost([...perBatch, { seconds: attackSeconds }]);
}

function flaggedQueryRate(audits: readonly (readonly AuditEntry[])[]): number | undefined {
  let flagged = 0;
  let total = 0;
  let anyFlags = false;
  for (const entry of audits.flat()) {
    total += entry.count;
    if (entry.guard?.flagged) anyFlags = true;
    flagged += entry.guard?.flaggedCount ?? 0;
  }
  return anyFlags && total > 0 ? flagged / total : undefined;
}

/**
 * Whom the defense flagged. The attacker is all of its accounts (a sybil attacker spreads its queries): it counts as
 * flagged when any of its accounts is, its score is the highest of its accounts', and its flagged-query share pools
 * its accounts' queries. Undefined when the defense neither reports accounts nor flags queries (nothing to score).
 */
export function detectionFigures(
  reports: readonly AccountReport[] | undefined,
  audit: (account: string) => readonly AuditEntry[],
  attacker: readonly string[],
  legitimate: readonly string[],
): DetectionFigures | undefined {
  const attackerRate = flaggedQueryRate(attacker.map(audit));
  if (!reports && attackerRate === undefined) return undefined;
  const verdict = (account: string) => reports?.find((report) => report.account === account);
  const legitimateRates = legitimate
    .map((account) => flaggedQueryRate([audit(account)]))
    .filter((rate): rate is number => rate !== undefined);
  const attackerFlaggedAccounts = attacker.filter((account) => verdict(account)?.flagged).length;
  const figures: DetectionFigures = {
    attackerFlagged: attackerFlaggedAccounts > 0,
    attackerAccounts: attacker.length,
    attackerAccountsFlagged: attackerFlaggedAccounts,
    legitimateAccounts: legitimate.length,
    legitimateFlagged: legitimate.filter((account) => verdict(account)?.flagged).length,
  };
  const scores = attacker
    .map((account) => verdict(account)?.score)
    .filter((score): score is number => score !== undefined);
  if (scores.length > 0) figures.attackerScore = Math.max(...scores);
  if (attackerRate !== undefined) figures.attackerFlaggedQueryRate = attackerRate;
  if (legitimateRates.length > 0)
    figures.legitimateFlaggedQueryRate = legitimateRates.reduce((a, b) => a + b, 0) / legitimateRates.length;
  return figures;
}

/** The record's `traffic`: every account with its role, and images answered per role (from the oracle's accounts). */
export function cellTraffic(accounts: readonly AccountSummary[]): CellTraffic {
  const traffic: CellTraffic = { accounts: {}, attackerQueries: 0, legitimateQueries: 0 };
  for (const account of accounts) {
    traffic.accounts[account.id] = account.role;
    if (account.role === 'attacker') traffic.attackerQueries += account.answered;
    else traffic.legitimateQueries += account.answered;
  }
  return traffic;
}
