// The result record: one per benchmark cell, the only input of the leaderboard.
// Shaped like tinybench's task results: a union on `state`, and an error is stored in the record instead of thrown.
// `schemas/result.schema.json` is the JSON Schema of this type (kept in step by a test).
import type { OracleOutput, OwnershipResult } from '../plugin/types.ts';

export interface PluginRef {
  id: string;
  /** Options after defaults were applied (canonical). */
  options: Record<string, unknown>;
}

/** One point of the grid: (victim, defense + options, attack + options, budget, query pool, seed). */
export interface CellSpec {
  victim: string;
  defense: PluginRef;
  attack: PluginRef;
  /** Images the attacker's account may query. */
  budget: number;
  /** Name of the query-pool split, e.g. `fmnist/attacker-pool`. */
  pool: string;
  seed: number;
  /** Downstream tasks scored by linear probe, e.g. `['fmnist', 'digits']`. */
  downstream: string[];
  /** What the API returns (from the attack's needs; default representation). */
  output: OracleOutput;
}

export type CellState = 'completed' | 'failed' | 'timed-out' | 'skipped';

export interface CellError {
  message: string;
  /** Which part failed: victim, oracle, attack, defense, scoring, worker. */
  phase: string;
  /** The plugin id whose hook failed, when one did. */
  plugin?: string;
  stack?: string;
}

export interface DetectionFigures {
  /** The defense flagged the attacker's account. */
  attackerFlagged: boolean;
  attackerScore?: number;
  /** Share of the attacker's queries that were flagged. */
  attackerFlaggedQueryRate?: number;
  legitimateAccounts: number;
  legitimateFlagged: number;
  legitimateFlaggedQueryRate?: number;
}

export interface CellMetrics {
  /** Linear-probe top-1 accuracy of the stolen encoder per downstream task, in [0, 1]. */
  stolen: Record<string, number>;
  /** The victim's own accuracy with the same probe. */
  victim: Record<string, number>;
  /** Agreement of stolen and victim representations on held-out images. */
  fidelity?: { cka: number; cosine?: number };
  /** Legitimate users' downstream accuracy through the defended API and through the undefended one. */
  legitimate?: {
    defended: Record<string, number>;
    undefended: Record<string, number>;
    /** What one legitimate user paid on average (queries, and the proof-of-work a defense charged). */
    cost?: { queries: number; hashes?: number; powSeconds?: number };
  };
  detection?: DetectionFigures;
  /** Ownership tests (reactive defenses): on the stolen copy and on an independently trained encoder. */
  ownership?: { stolen: OwnershipResult; independent?: OwnershipResult };
  cost: { queries: number; attackSeconds: number; hashes?: number; powSeconds?: number };
}

export interface Provenance {
  harnessVersion: string;
  /** Content hashes of the plugins and the victim recipe used by the cell. */
  pluginHashes: Record<string, string>;
  backend: string;
  node: string;
  dataSource?: string;
  /** Wall-clock facts: excluded when two records are compared for determinism. */
  startedAt: string;
  durations: Record<string, number>;
}

export interface CellRecord {
  schemaVersion: 1;
  /** Hash of the cell's canonical JSON, the plugin and victim content hashes and the harness version. */
  key: string;
  cell: CellSpec;
  state: CellState;
  error?: CellError;
  metrics?: CellMetrics;
  provenance: Provenance;
}
