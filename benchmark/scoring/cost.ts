// The attacker's cost, summed over the batches (or accounts) of one run: images queried, wall time, and the
// proof-of-work a defense charged. Optional parts stay absent when no part reported them, so a defense that charges
// no work is told apart from one that charged zero hashes.

export interface AttackCost {
  queries: number;
  attackSeconds: number;
  hashes?: number;
  powSeconds?: number;
}

export interface CostPart {
  queries?: number;
  seconds?: number;
  hashes?: number;
  powSeconds?: number;
}

function checkCount(name: string, index: number, value: number | undefined): void {
  if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
    throw new RangeError(`cost part ${index}: ${name} must be a finite number ≥ 0, found ${value}`);
  }
}

export function aggregateCost(parts: readonly CostPart[]): AttackCost {
  const total: AttackCost = { queries: 0, attackSeconds: 0 };
  parts.forEach((part, index) => {
    checkCount('queries', index, part.queries);
    checkCount('seconds', index, part.seconds);
    checkCount('hashes', index, part.hashes);
    checkCount('powSeconds', index, part.powSeconds);
    total.queries += part.queries ?? 0;
    total.attackSeconds += part.seconds ?? 0;
    if (part.hashes !== undefined) total.hashes = (total.hashes ?? 0) + part.hashes;
    if (part.powSeconds !== undefined) total.powSeconds = (total.powSeconds ?? 0) + part.powSeconds;
  });
  return total;
}
