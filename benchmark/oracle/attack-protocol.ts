// The messages between the harness (parent, holds the oracle) and the attack's process (child). Kept narrow on
// purpose: the child can ask for its budget and send query batches; everything else is one-way reporting.
// Sent with `serialization: 'advanced'` (structured clone), so Float32Array / Int32Array cross as they are.
import type { AttackDefenseView, BudgetState, ImageBatch, OracleOutput, QueryAnswer } from '../plugin/types.ts';
import type { SerializedError } from './errors.ts';

/** Parent → child, once: everything the attack gets. */
export interface StartMessage {
  type: 'start';
  modulePath: string;
  options: Record<string, unknown>;
  seed: number;
  budget: number;
  deadline: number;
  poolFile: string;
  outputDir: string;
  backend?: string;
  oracle: { output: OracleOutput; inputShape: [number, number, number]; outputDim: number; maxAccounts: number };
  /** Adaptive attacks only (meta.targets): the cell's defense with its public options (`ctx.defense`). */
  defense?: AttackDefenseView;
}

export type ReplyMessage =
  | { type: 'reply'; id: number; ok: true; value: BudgetState | QueryAnswer }
  | { type: 'reply'; id: number; ok: false; error: SerializedError };

export type ParentMessage = StartMessage | ReplyMessage;

export type ChildMessage =
  | { type: 'loaded'; plugin: string }
  /** The tfjs backend the child ended up on (for the record's provenance). */
  | { type: 'engine'; backend: string }
  | { type: 'budget'; id: number }
  /** `account`: the attacker's account index (QueryOptions.account), checked by the harness, never trusted. */
  | { type: 'query'; id: number; images: ImageBatch; account?: number }
  | { type: 'progress'; done: number; total: number; message?: string }
  | { type: 'log'; message: string }
  | { type: 'done'; modelDir: string }
  /**
   * The child's own account of where it stopped. Everything here is written by attack code (it shares the child's
   * process), so the harness records it only as the attack's failure: `phase` and `plugin` are never trusted.
   */
  | { type: 'error'; phase: AttackPhase; plugin?: string; error: SerializedError };

/** Where in the child an error happened (as the child reports it: shown in the message, not used for blame). */
export type AttackPhase = 'load' | 'engine' | 'attack' | 'save' | 'worker';
