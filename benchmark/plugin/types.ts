// The contract between the harness and its plugins (attacks, defenses, victims).
// Everything a plugin may touch is typed here and re-exported from `benchmark/index.ts`.
// Images cross every boundary as plain NHWC float32 arrays in [0, 1]: no tensors, so that the oracle, the attack
// process and the defenses never share tfjs state and a batch can be sent over IPC as it is.
import type { JSONSchemaType } from 'ajv';

/** A batch of images, NHWC, float32 in [0, 1]. */
export interface ImageBatch {
  data: Float32Array;
  count: number;
  height: number;
  width: number;
  channels: number;
}

/** A labelled or unlabelled image collection (a query pool, a downstream split). */
export interface ImageSet extends ImageBatch {
  /** Stable name, e.g. `fmnist/attacker-pool`. */
  name: string;
  labels: Int32Array | null;
  classes?: readonly string[];
}

/** Row-major matrix of `count` vectors of length `dim`. */
export interface Vectors {
  data: Float32Array;
  count: number;
  dim: number;
}

/** What the victim's API returns: the paper's three deployments (section 3.1, table 4). */
export type OracleOutput = 'representation' | 'projection' | 'label';

export interface QueryAnswer extends Vectors {
  /** Present when the deployment returns labels (then `data` holds the class scores). */
  labels?: Int32Array;
}

export interface BudgetState {
  total: number;
  used: number;
  remaining: number;
}

/** The only door an attack has to the victim. */
export interface OracleClient {
  readonly output: OracleOutput;
  readonly inputShape: readonly [height: number, width: number, channels: number];
  /** Length of each answered vector. */
  readonly outputDim: number;
  budget(): Promise<BudgetState>;
  /** Answers the whole batch or throws `QueryBudgetExceededError` / `InvalidQueryError` and charges nothing. */
  query(images: ImageBatch): Promise<QueryAnswer>;
}

/** A JSON Schema for a plugin's options; `default`s in it are applied before the plugin sees the options. */
export type OptionsSchema<Options> = JSONSchemaType<Options> | Record<string, unknown>;

export interface PluginMeta<Options> {
  /** Folder name and registry key, kebab-case. */
  id: string;
  title: string;
  /** Citation: authors, title, venue, year (and section/algorithm where it helps). */
  paper: string;
  /** The options JSON Schema; a plugin with no schema takes no options. */
  options?: OptionsSchema<Options>;
  /** One or two sentences on what the plugin does and assumes (shown by `stealbench list`). */
  description?: string;
}

export interface ProgressReporter {
  (done: number, total: number, message?: string): void;
}

// ---------------------------------------------------------------- attacks

export interface AttackNeeds {
  /** The API must return this (default 'representation'). */
  output?: OracleOutput;
  /** The attack uses the pool's labels (e.g. SupCon). */
  labels?: boolean;
}

export interface AttackMeta<Options> extends PluginMeta<Options> {
  needs?: AttackNeeds;
}

export interface AttackContext {
  oracle: OracleClient;
  /** The attacker's query pool, the same images in the same order for every attack at a given seed. */
  pool: ImageSet;
  /** Images the attack may spend; equals the oracle account's budget. */
  budget: number;
  seed: number;
  /** Epoch milliseconds after which the harness kills the attack. */
  deadline: number;
  progress: ProgressReporter;
  log(message: string): void;
}

/**
 * A stolen encoder is a tfjs-layers model mapping images (NHWC) to representation vectors.
 * Typed loosely here so that this file does not import tfjs.
 */
export type StolenEncoder = import('@tensorflow/tfjs-layers').LayersModel;

export interface AttackPlugin<Options = Record<string, never>> {
  meta: AttackMeta<Options>;
  steal(ctx: AttackContext, options: Readonly<Options>): Promise<StolenEncoder>;
}

// ---------------------------------------------------------------- defenses

export type DefenseKind = 'active' | 'passive' | 'reactive' | 'proactive';

/** What a defense may see of the deployed victim (it runs on the provider's side). */
export interface VictimDeployment {
  id: string;
  inputShape: readonly [number, number, number];
  representationDim: number;
  /** Clean representations of a batch. */
  encode(images: ImageBatch): Promise<Vectors>;
  /** Through the victim's projection head, when it has one. */
  project?(representations: Vectors): Promise<Vectors>;
  /** Length of a projection (needed by the oracle when it serves projections). */
  projectionDim?: number;
  /** A downstream classifier on top of the encoder, for the label API (paper table 4). */
  classify?(images: ImageBatch): Promise<Classification>;
  /** Number of classes `classify` scores. */
  classCount?: number;
}

/** Labels and the per-class scores they were taken from (`scores.dim` = number of classes). */
export interface Classification {
  labels: Int32Array;
  scores: Vectors;
}

export interface GuardRequest {
  account: string;
  images: ImageBatch;
  /** The undefended answer the victim computed for this batch. */
  clean: Vectors;
  /** What `clean` holds (representations, projections or class scores); absent means representations. */
  output?: OracleOutput;
}

export interface GuardResponse {
  /** What the account receives instead of `clean` (same count, may change dim for top-k etc.). */
  answer: Vectors;
  /** Per-image flags raised by a detecting defense. */
  flagged?: boolean[];
  /** Cost imposed on the account for this batch (proof-of-work). */
  cost?: { hashes?: number; seconds?: number };
  note?: string;
  /** Label API only: the labels the account receives; by default the argmax of `answer`. */
  labels?: Int32Array;
}

export interface AccountReport {
  account: string;
  /** The defense thinks this account is an attacker. */
  flagged: boolean;
  score?: number;
  cost?: { hashes?: number; seconds?: number };
}

export interface Guard {
  answer(request: GuardRequest): Promise<GuardResponse>;
  /** Final per-account verdicts, read by scoring after the attack and the legitimate users are done. */
  report?(): AccountReport[];
  dispose?(): void;
}

export interface DefenseContext {
  seed: number;
  log(message: string): void;
  /**
   * The victim's private training data (the provider owns it), loaded on first call: what a guard calibrates a
   * legitimate-user profile on. The harness always provides it; absent only where a caller builds a guard by hand.
   */
  loadPrivateData?(): Promise<ImageSet>;
}

export interface OwnershipResult {
  /** True when the defense claims the suspect was derived from the victim. */
  stolen: boolean;
  statistic: number;
  pValue: number;
  details?: Record<string, number | string | boolean>;
}

export interface OwnershipContext extends DefenseContext {
  /** The suspect encoder's representations for any images the defender chooses. */
  suspect(images: ImageBatch): Promise<Vectors>;
  /** The deployed victim (the defender owns it). */
  victim: VictimDeployment;
  /** The victim's private training data (the defender owns it). */
  privateData: ImageSet;
  /** Public data from the same distribution that the victim never trained on. */
  publicData: ImageSet;
}

export interface DefenseMeta<Options> extends PluginMeta<Options> {
  kind: DefenseKind;
}

export interface DefensePlugin<Options = Record<string, never>> {
  meta: DefenseMeta<Options>;
  /** Active/passive defenses: wraps every answer of the API. */
  guard?(victim: VictimDeployment, options: Readonly<Options>, ctx: DefenseContext): Guard | Promise<Guard>;
  /**
   * Proactive defenses that change how the victim is trained (the watermark): return extra recipe settings that
   * become part of the victim's hash.
   */
  prepareVictim?(options: Readonly<Options>): Record<string, unknown>;
  /**
   * Proactive defenses whose `prepareVictim` settings add a training objective: the hook that trains it, built from
   * the victim's encoder (a `VictimTrainHookFactory`, benchmark/victims/train.ts). Whoever loads the victim with
   * `extra: prepareVictim(options)` must pass `trainHook: victimTrainHook(options)` too.
   */
  victimTrainHook?(options: Readonly<Options>): import('../victims/train.ts').VictimTrainHookFactory;
  /** Reactive/ownership defenses: decide whether a suspect encoder was stolen from the victim. */
  verifyOwnership?(options: Readonly<Options>, ctx: OwnershipContext): Promise<OwnershipResult>;
}

// ---------------------------------------------------------------- victims

/** The three plugin families; each lives in its own top-level folder (`attacks/`, `defenses/`, `victims/`). */
export type PluginKind = 'attack' | 'defense' | 'victim';

export interface VictimMeta {
  /** Folder name and registry key, kebab-case. */
  id: string;
  title: string;
  paper?: string;
  description?: string;
}

/**
 * How a victim encoder is trained. The recipe is plain JSON: its canonical form is hashed into the victim's cache key,
 * so two victims with the same recipe are the same victim. Extra fields are allowed (and hashed) for training code
 * that needs more settings than the common ones below.
 */
export interface VictimRecipe {
  method: 'simclr' | 'simsiam' | 'barlow' | 'supervised';
  encoder: {
    arch: string;
    inputShape: readonly [height: number, width: number, channels: number];
    width?: number;
    representationDim?: number;
    [extra: string]: unknown;
  };
  /** Name of the training split, e.g. `fmnist/victim-train`. */
  data: string;
  /** A named augmentation pipeline or its settings. */
  augmentation: string | Record<string, unknown>;
  epochs: number;
  batchSize: number;
  learningRate: number;
  weightDecay?: number;
  projectionDim?: number;
  seed: number;
  /** Downstream tasks the victim is probed on, e.g. `['fmnist', 'digits']`. */
  downstream?: string[];
  [extra: string]: unknown;
}

export interface VictimPlugin {
  meta: VictimMeta;
  recipe: VictimRecipe;
}
