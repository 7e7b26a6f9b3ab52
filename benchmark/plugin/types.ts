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
  /** Stable name, e.g. `fmnist/attacker-pool-20k`. */
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

/** The API's answer to a batch: one vector per image (`count` × `dim`, row-major), plus labels on the label API. */
export interface QueryAnswer extends Vectors {
  /** Present when the deployment returns labels (then `data` holds the class scores). */
  labels?: Int32Array;
}

/** An account's budget in images: the total, what was used, and what remains (all of the attacker's accounts together).
 * */
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
  /**
   * How many accounts the attacker may spread its queries over (sybils): `query`'s `account` is an index in
   * 0 … maxAccounts-1. The harness maps each index, on first use, to an opaque account id the attack never sees.
   */
  readonly maxAccounts: number;
  /** The attacker's one budget, shared by all its accounts: images answered on every account count against it. */
  budget(): Promise<BudgetState>;
  /**
   * Answers the whole batch through account `options.account` (default 0), or throws `QueryBudgetExceededError` /
   * `InvalidQueryError` and charges nothing.
   */
  query(images: ImageBatch, options?: QueryOptions): Promise<QueryAnswer>;
}

/** Per-query options: `account` picks one of the attacker's accounts (0 … maxAccounts − 1; sybil attacks). */
export interface QueryOptions {
  /** Which of the attacker's accounts sends the batch: an integer in 0 … `OracleClient.maxAccounts`-1 (default 0). */
  account?: number;
}

/** A JSON Schema for a plugin's options; `default`s in it are applied before the plugin sees the options. */
export type OptionsSchema<Options> = JSONSchemaType<Options> | Record<string, unknown>;

/** The fields every plugin's `meta` has; validated against schemas/plugin-meta.schema.json. */
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

/** Reports progress (`done` of `total`, with an optional message); the runner shows it and never blocks on it. */
export interface ProgressReporter {
  (done: number, total: number, message?: string): void;
}

// ---------------------------------------------------------------- attacks

/** What an attack requires of the API and the pool; cells that cannot give it are skipped with a reason. */
export interface AttackNeeds {
  /** The API must return this (default 'representation'). */
  output?: OracleOutput;
  /** The attack uses the pool's labels (e.g. SupCon). */
  labels?: boolean;
}

/** An attack's `meta`: the common fields, what it needs from the API (`needs`) and the defenses it is built against. */
export interface AttackMeta<Options> extends PluginMeta<Options> {
  needs?: AttackNeeds;
  /**
   * Defense ids this attack is designed against (an adaptive attack, issue 13): it knows their mechanism and, through
   * `ctx.defense`, their public options. The leaderboard counts it as the adaptive attacker of these defenses.
   */
  targets?: string[];
}

/** The defense in front of the victim as an adaptive attack may know it: its id and public options, no secrets. */
export interface AttackDefenseView {
  id: string;
  /** The defense's options (defaults applied) without those its schema marks `secret: true` (e.g. a watermark key). */
  options: Readonly<Record<string, unknown>>;
}

/**
 * What `steal()` gets, and all it gets: the oracle client, its query pool (exactly the images it may spend), the
 * budget in images, its seed, a deadline, progress and log channels, and (for adaptive attacks that declare
 * `meta.targets`) the defense's public options.
 */
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
  /**
   * The defense this cell runs (`none` included), given only to attacks that declare `meta.targets`: its id and its
   * public options. Absent for oblivious attacks, and where no harness provides it (hand-built contexts, old tests).
   */
  defense?: AttackDefenseView;
}

/**
 * A stolen encoder is a tfjs-layers model mapping images (NHWC) to representation vectors.
 * Typed loosely here so that this file does not import tfjs.
 */
export type StolenEncoder = import('@tensorflow/tfjs-layers').LayersModel;

/** An attack plugin: `meta` plus `steal()`, which returns the stolen encoder (see `defineAttack`). */
export interface AttackPlugin<Options = Record<string, never>> {
  meta: AttackMeta<Options>;
  steal(ctx: AttackContext, options: Readonly<Options>): Promise<StolenEncoder>;
}

// ---------------------------------------------------------------- defenses

/** The paper's taxonomy (section 5): active (changes answers), passive, reactive (ownership), proactive (training). */
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

/**
 * A running defense in front of the victim: `answer()` sees every batch of every account (ids are opaque) with the
 * victim's clean answers and returns what the account receives; `report()` gives per-account verdicts at the end.
 */
export interface GuardRequest {
  account: string;
  images: ImageBatch;
  /** The undefended answer the victim computed for this batch. */
  clean: Vectors;
  /** What `clean` holds (representations, projections or class scores); absent means representations. */
  output?: OracleOutput;
}

/** What the guard returns for a batch: the answers (validated by the oracle: shape and finite values), cost, flags. */
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

/** A defense's verdict on one (opaque) account, read by scoring after the traffic: flagged, a score, its cost. */
export interface AccountReport {
  account: string;
  /** The defense thinks this account is an attacker. */
  flagged: boolean;
  score?: number;
  cost?: { hashes?: number; seconds?: number };
  /**
   * Flag counts of this account under flagging rules the defense evaluates beside the one it acts on (similar-query
   * detection: the last 64 / 256 / 1,000 queries, the whole history, one random earlier query), so that scoring can
   * report detection rates per history window.
   */
  rules?: DetectionRuleCount[];
}

/** How many of an account's queries one flagging rule flagged. */
export interface DetectionRuleCount {
  /** `window`: nearest among the last `window` queries; `history`: the whole history; `pairwise`: one earlier query. */
  rule: 'window' | 'history' | 'pairwise';
  window?: number;
  /** The vectors compared: the victim's representations or its projection head's outputs. */
  features: 'representation' | 'projection';
  queries: number;
  flagged: number;
}

/**
 * A running defense in front of the victim: `answer()` sees every batch of every account (ids are opaque and roles
 * hidden) with the victim's clean answers, and returns what the account receives (checked by the oracle: shape and
 * finite values); `report()` gives per-account verdicts and `figures()` numbers about the defense, at the end.
 */
export interface Guard {
  answer(request: GuardRequest): Promise<GuardResponse>;
  /** Final per-account verdicts, read by scoring after the attack and the legitimate users are done. */
  report?(): AccountReport[];
  /**
   * Figures about the defense itself, read once after the cell and written to the record as `metrics.defense` (e.g.
   * the victim spread a noise scale was measured against). Plain named numbers.
   */
  figures?(): Record<string, number>;
  dispose?(): void;
}

/** What a guard factory gets besides the deployment: its seed, a log, and the provider's private training data. */
export interface DefenseContext {
  seed: number;
  log(message: string): void;
  /**
   * The victim's private training data (the provider owns it), loaded on first call: what a guard calibrates a
   * legitimate-user profile on. The harness always provides it; absent only where a caller builds a guard by hand.
   */
  loadPrivateData?(): Promise<ImageSet>;
}

/** An ownership verdict: is the suspect claimed as stolen, with its test statistic and p-value. */
export interface OwnershipResult {
  /** True when the defense claims the suspect was derived from the victim. */
  stolen: boolean;
  statistic: number;
  pValue: number;
  details?: Record<string, number | string | boolean>;
}

/** What an ownership test gets: the suspect's features, the victim's deployment, private and public data, a seed. */
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

/** A defense's `meta`: the common fields plus its `kind`. */
export interface DefenseMeta<Options> extends PluginMeta<Options> {
  kind: DefenseKind;
}

/** A defense plugin: `meta` plus any of `guard`, `prepareVictim`, `victimTrainHook`, `verifyOwnership` (see
 * `defineDefense`). */
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

/** A victim's `meta`: the common fields plus the ownership controls (independently trained encoders) it declares. */
export interface VictimMeta {
  /** Folder name and registry key, kebab-case. */
  id: string;
  title: string;
  paper?: string;
  description?: string;
  /**
   * Victims trained independently of this one by the provider (ids), e.g. `['simclr-fmnist-independent']`: the
   * controls of ownership tests, which must not flag them. Their content hashes enter the key of every cell of this
   * victim. In meta, not in the recipe: they do not change how this victim is trained.
   */
  ownershipControls?: string[];
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
  /** Name of the training split, e.g. `fmnist/victim-train-30k`. */
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

/** A victim plugin: `meta` and a training `recipe` (data): the harness trains, caches and ships it. */
export interface VictimPlugin {
  meta: VictimMeta;
  /** The recipe of the weights this victim is now: shipped weights are used only when they were trained from it. */
  recipe: VictimRecipe;
  /**
   * The recipe this victim is being retrained to, while its new weights train (for hours, over several sessions:
   * `stealbench train-victim <id> --next --resume`). Nothing runs it but train-victim and evaluate-victims' status
   * line; once its weights are trained and meet the margins, it replaces `recipe` and the weights ship.
   */
  next?: VictimRecipe;
}
