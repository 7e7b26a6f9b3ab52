// Builders of result records for the leaderboard tests (not a test file itself: no `.test.` in the name).
import { createHash } from 'node:crypto';
import type { CellMetrics, CellRecord, CellState, OwnershipPower } from '../benchmark/runner/record.ts';

export interface FixtureCell {
  attack: string;
  attackOptions?: Record<string, unknown>;
  defense?: string;
  defenseOptions?: Record<string, unknown>;
  budget?: number;
  seed?: number;
  victim?: string;
  state?: CellState;
  error?: string;
  stolen?: Record<string, number>;
  victimAccuracy?: Record<string, number>;
  metrics?: Partial<CellMetrics>;
  startedAt?: string;
}

export function record(c: FixtureCell): CellRecord {
  const state = c.state ?? 'completed';
  const stolen = c.stolen ?? { fmnist: 0.5 };
  const downstream = Object.keys(c.victimAccuracy ?? stolen);
  const base: CellRecord = {
    schemaVersion: 1,
    // A 64-hex key like the runner's (schemas/result.schema.json); unique per fixture cell.
    key: createHash('sha256')
      .update(JSON.stringify([c.victim, c.defense, c.defenseOptions, c.attack, c.attackOptions, c.budget, c.seed]))
      .digest('hex'),
    cell: {
      victim: c.victim ?? 'cnn',
      defense: { id: c.defense ?? 'none', options: c.defenseOptions ?? {} },
      attack: { id: c.attack, options: c.attackOptions ?? {} },
      budget: c.budget ?? 1000,
      pool: 'fmnist/attacker-pool-20k',
      seed: c.seed ?? 1,
      downstream,
      output: 'representation',
    },
    state,
    provenance: {
      harnessVersion: '0.1.0',
      pluginHashes: { [c.attack]: `h-${c.attack}`, [c.defense ?? 'none']: `h-${c.defense ?? 'none'}` },
      backend: 'wasm',
      node: 'v20.20.0',
      startedAt: c.startedAt ?? '2025-01-01T00:00:00.000Z',
      durations: { total: 1 },
    },
  };
  if (state === 'completed') {
    base.metrics = {
      stolen,
      victim: c.victimAccuracy ?? Object.fromEntries(downstream.map((t) => [t, 0.9])),
      cost: { queries: c.budget ?? 1000, attackSeconds: 2 },
      ...c.metrics,
    };
  } else {
    base.error = { message: c.error ?? 'boom', phase: 'attack', plugin: c.attack };
  }
  return base;
}

/** An ownership test's power figures on one seed, against 3 independent encoders (valid: victim claimed, none else). */
export function power(victimClaimed: boolean, falseClaims: number): OwnershipPower {
  return {
    victimClaimed,
    independentEncoders: 3,
    falseClaims,
    falseClaimRate: falseClaims / 3,
    valid: victimClaimed && falseClaims === 0,
  };
}
