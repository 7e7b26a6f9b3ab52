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
  /** Name of the query-pool split, e.g. `fmnist/attacker-pool-20k`. */
  pool: string;
  seed: number;
  /** Downstream tasks scored by linear probe, e.g. `['fmnist', 'digits']`. */
  downstream: string[];
  /** What the API returns (from the attack's needs; default representation). */
  output: OracleOutput;
}

export type CellState = 'completed' | 'failed' | 'timed-out' | 'skipped';

export interface CellError {
  /** Plugin-supplied text in it is capped (benchmark/util/cap-text.ts). */
  message: string;
  /**
   * Which part failed, as the harness observed it (never as a plugin claims): victim, defense, attack, data,
   * legitimate-users, scoring, worker.
   */
  phase: string;
  /** The plugin id to blame, when a plugin is at fault. */
  plugin?: string;
  stack?: string;
}

/**
 * What went through the oracle, from its audit log: every account of the cell (opaque ids) with its role, and the
 * images answered per role. Kept in failed records too, so queries an attack spent before it failed are on record.
 */
export interface CellTraffic {
  accounts: Record<string, 'attacker' | 'legitimate'>;
  attackerQueries: number;
  legitimateQueries: number;
}

export interface DetectionFigures {
  /** The defense flagged the attacker: at least one of its accounts (a sybil attacker is all its accounts). */
  attackerFlagged: boolean;
  /** The highest score the defense gave any of the attacker's accounts. */
  attackerScore?: number;
  /** Accounts the attacker used, and how many of them the defense flagged. */
  attackerAccounts?: number;
  attackerAccountsFlagged?: number;
  /** Share of the attacker's queries, over all its accounts, that were flagged. */
  attackerFlaggedQueryRate?: number;
  legitimateAccounts: number;
  legitimateFlagged: number;
  legitimateFlaggedQueryRate?: number;
  /** Similar-query detection per history window and pairwise (defense-reported flag counts, pooled over accounts). */
  windows?: DetectionRuleRates[];
}

/** Detection rates of one flagging rule: legitimate queries flagged (FPR) and attacker queries flagged. */
export interface DetectionRuleRates {
  rule: 'window' | 'history' | 'pairwise';
  /** The last `window` queries of the account were searched (rule `window`). */
  window?: number;
  features: 'representation' | 'projection';
  legitimateQueries: number;
  legitimateFlagged: number;
  attackerQueries: number;
  attackerFlagged: number;
  /** legitimateFlagged / legitimateQueries; null when there were none. */
  falsePositiveRate: number | null;
  /** attackerFlagged / attackerQueries; null when there were none. 1 − it is the query-level FNR. */
  attackerFlaggedQueryRate: number | null;
}

/** Whether an ownership test has power: it claims the victim itself and none of the independently trained encoders. */
export interface OwnershipPower {
  victimClaimed: boolean;
  independentEncoders: number;
  falseClaims: number;
  /** falseClaims / independentEncoders; null with no independent encoder. */
  falseClaimRate: number | null;
  /** victimClaimed, no false claim, and at least 3 independent encoders: only then is the stolen verdict reported. */
  valid: boolean;
}

/** What a completed cell measured: stolen and victim accuracy, agreement, fidelity, legitimate users, detection, cost,
 * ownership. */
export interface CellMetrics {
  /** Linear-probe top-1 accuracy of the stolen encoder per downstream task, in [0, 1]. */
  stolen: Record<string, number>;
  /** The victim's own accuracy with the same probe. */
  victim: Record<string, number>;
  /**
   * Per task: share of probe-test images on which the stolen copy's probe and the victim's probe predict the same
   * class (fidelity in the paper's sense). Optional only for records written before it existed.
   */
  agreement?: Record<string, number>;
  /** Agreement of stolen and victim representations on held-out images. */
  fidelity?: { cka: number; cosine?: number };
  /** Legitimate users' downstream accuracy through the defended API and through the undefended one. */
  legitimate?: {
    defended: Record<string, number>;
    undefended: Record<string, number>;
    /** The probe trained on the defended answers, tested on the clean answers for the test images. */
    defendedCleanTest?: Record<string, number>;
    /** Mean over the users of undefended − defended accuracy (paired: same users, images and probe seeds). */
    drop?: Record<string, number>;
    /** Share of the users' answers (train and test images) that the guard flagged. */
    flaggedAnswers?: Record<string, number>;
    /** What one legitimate user paid on average (queries, and the proof-of-work a defense charged). */
    cost?: { queries: number; hashes?: number; powSeconds?: number };
  };
  detection?: DetectionFigures;
  /**
   * Ownership tests (reactive defenses): on the stolen copy, on the victim itself and on each independently trained
   * encoder the victim declares (`independent`: the first of them, kept for older readers); `power` says whether the
   * test could be trusted.
   */
  ownership?: {
    stolen: OwnershipResult;
    independent?: OwnershipResult;
    victimItself?: OwnershipResult;
    independents?: { encoder: string; result: OwnershipResult }[];
    power?: OwnershipPower;
  };
  /** Figures the defense reports about itself (`Guard.figures`), e.g. the victim spread its noise scale used. */
  defense?: Record<string, number>;
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

/** One cell's result record (schemas/result.schema.json), written by the harness alone. */
export interface CellRecord {
  schemaVersion: 1;
  /** Hash of the cell's canonical JSON, the plugin and victim content hashes and the harness version. */
  key: string;
  cell: CellSpec;
  state: CellState;
  error?: CellError;
  metrics?: CellMetrics;
  /** Absent when the cell failed before its oracle opened. */
  traffic?: CellTraffic;
  provenance: Provenance;
}
