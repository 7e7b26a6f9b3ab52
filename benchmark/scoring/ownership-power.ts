// Ownership tests with their power shown (issue 12.4). A verdict on a stolen copy means something only when the same
// test, with the same seed and data, claims the victim itself (p < α: it can detect what it is looking for) and claims
// none of the encoders the provider trained independently of the victim (its false-claim rate is zero on them).
// The harness runs the defense's verifyOwnership on all of them and records the verdicts beside the stolen one.
import type { ImageBatch, OwnershipResult, Vectors } from '../plugin/types.ts';
import type { CellMetrics, OwnershipPower } from '../runner/record.ts';

/** Fewest independently trained encoders whose verdicts make a false-claim rate worth reporting. */
export const MIN_INDEPENDENT_ENCODERS = 3;

export type SuspectFeatures = (images: ImageBatch) => Promise<Vectors>;

/** An independently trained encoder, opened only when it is tested and closed right after. */
export interface IndependentEncoder {
  id: string;
  open(): Promise<{ features: SuspectFeatures; dispose(): void }>;
}

/** Power and false-claim rate from the verdicts on the victim itself and on the independent encoders. */
export function ownershipPower(
  victimItself: OwnershipResult,
  independents: readonly OwnershipResult[],
): OwnershipPower {
  const falseClaims = independents.filter((result) => result.stolen).length;
  return {
    victimClaimed: victimItself.stolen,
    independentEncoders: independents.length,
    falseClaims,
    falseClaimRate: independents.length === 0 ? null : falseClaims / independents.length,
    valid: victimItself.stolen && falseClaims === 0 && independents.length >= MIN_INDEPENDENT_ENCODERS,
  };
}

/** One test's power over seeds: its per-seed figures summed. */
export interface PowerOverSeeds {
  /** Seeds whose record carries the power figures. */
  seeds: number;
  /** Seeds on which the test claimed the victim itself. */
  victimClaimed: number;
  /** Claims of independently trained encoders, over all seeds, and how many were tested. */
  falseClaims: number;
  independentEncoders: number;
  /** Seeds on which the test was valid (victim claimed, no false claim, enough independent encoders). */
  valid: number;
}

export function powerOverSeeds(powers: readonly (OwnershipPower | undefined)[]): PowerOverSeeds {
  const present = powers.filter((p): p is OwnershipPower => p !== undefined);
  return {
    seeds: present.length,
    victimClaimed: present.filter((p) => p.victimClaimed).length,
    falseClaims: present.reduce((sum, p) => sum + p.falseClaims, 0),
    independentEncoders: present.reduce((sum, p) => sum + p.independentEncoders, 0),
    valid: present.filter((p) => p.valid).length,
  };
}

/**
 * Runs `verify` (the defense's verifyOwnership with its options and context bound) on the stolen copy, on the victim
 * itself and on each independent encoder, in that order, and returns the record's ownership figures.
 */
export async function verifyWithPower(
  verify: (suspect: SuspectFeatures) => Promise<OwnershipResult>,
  suspects: { stolen: SuspectFeatures; victim: SuspectFeatures; independents: readonly IndependentEncoder[] },
): Promise<NonNullable<CellMetrics['ownership']>> {
  const stolen = await verify(suspects.stolen);
  const victimItself = await verify(suspects.victim);
  const independents: { encoder: string; result: OwnershipResult }[] = [];
  for (const encoder of suspects.independents) {
    const opened = await encoder.open();
    try {
      independents.push({ encoder: encoder.id, result: await verify(opened.features) });
    } finally {
      opened.dispose();
    }
  }
  const power = ownershipPower(
    victimItself,
    independents.map((entry) => entry.result),
  );
  return {
    stolen,
    ...(independents[0] ? { independent: independents[0].result } : {}),
    victimItself,
    independents,
    power,
  };
}
