// stealbench's public API for plugin authors: everything an attack, a defense or a victim may use, by name.
// Plugins import from here (`../../benchmark/index.ts`); anything not listed is internal to the harness and may change.
// The contributor test kit has its own entry point: `benchmark/testkit/index.ts`.

// Defining plugins and configs.
export { defineAttack, defineDefense, defineVictim, defineConfig } from './plugin/define.ts';
export type {
  AccountReport,
  AttackContext,
  AttackDefenseView,
  AttackMeta,
  AttackNeeds,
  AttackPlugin,
  BudgetState,
  Classification,
  DefenseContext,
  DefenseKind,
  DefenseMeta,
  DefensePlugin,
  DetectionRuleCount,
  Guard,
  GuardRequest,
  GuardResponse,
  ImageBatch,
  ImageSet,
  OptionsSchema,
  OracleClient,
  OracleOutput,
  OwnershipContext,
  OwnershipResult,
  PluginKind,
  PluginMeta,
  ProgressReporter,
  QueryAnswer,
  QueryOptions,
  StolenEncoder,
  Vectors,
  VictimDeployment,
  VictimMeta,
  VictimPlugin,
  VictimRecipe,
} from './plugin/types.ts';

// Seeded randomness: every random choice comes from the cell's seed.
export { createRng, deriveSeed, type Rng } from './util/random.ts';

// The errors an attack may meet at the oracle (all carry a `code`).
export { OracleError, QueryBudgetExceededError, InvalidQueryError } from './oracle/errors.ts';

// Models, losses, training and evaluation.
export {
  createEncoder,
  representationDimOf,
  createLinearHead,
  createMlpHead,
  getLoss,
  losses,
  LOSS_NAMES,
  createAdamStepper,
  trainableVariables,
  trainSsl,
  trainToMatch,
  embed,
  linearProbe,
  pixelFeatures,
  saveModel,
  loadModel,
  weightsHash,
  type EncoderSpec,
  type LossName,
  type PairLoss,
  type Augment,
} from './nn/index.ts';
export { imagesToTensor, vectorsToTensor, tensorToVectors, sliceImages } from './nn/tensors.ts';

// Data: published splits and batched augmentations.
export {
  loadSplit,
  listSplits,
  synthetic,
  makeAugmentation,
  AUGMENTATION_PRESETS,
  type AugmentationSpec,
} from './data/index.ts';
/** Rotates each image of an NHWC batch about its centre by its own angle (radians), bilinear, zero fill. */
export { rotate } from './data/augment.ts';

// Statistics and representation similarity (for ownership tests and reports).
export { welchTTest, oneSampleTTest, meanInterval, type TTestResult, type MeanInterval } from './scoring/stats.ts';
export { linearCka, meanCosineSimilarity } from './scoring/representation-similarity.ts';
/**
 * Detection rates of a flagging defense against ground truth, per history window (`flagStream`: the reference flags of
 * one account's stream) and over known pairs (`pairwiseRates`), for detector tests and replay experiments.
 */
export { detectionRates, flagStream, pairwiseRates, type DetectionRates } from './scoring/detection.ts';

// The compute engine (plugins normally never call it: the harness readies it before any plugin runs).
export { initEngine, type EngineInfo } from './engine/index.ts';

// Building blocks that several plugins share (their folders may not import each other, nor harness internals).
/** The stealing losses' pieces: SimSiam's negative cosine, its symmetrised form, Cont-Steal's loss, row L2 norms. */
export {
  contStealLoss,
  l2NormalizeRows,
  negCosineLoss,
  symmetrizedNegCosineLoss,
  stopGradient,
} from './nn/losses/index.ts';
/** The seeded minibatch order of a training epoch (index lists), as the harness's own training loops use it. */
export { batchOrder } from './nn/train.ts';
/** The batched augmentation type and the names of the presets (`simclrGray`, …). */
export type { Augmentation, AugmentationPreset } from './data/augment-pipeline.ts';
/** Picks the given rows (indices) of an image set, labels included. */
export { selectImageSet, sliceImageSet } from './data/index.ts';
/** A proactive defense's extra training loss on the victim (the watermark's). */
export type { VictimTrainHook, VictimTrainHookFactory } from './victims/index.ts';
/** Argmax per row of a score matrix, and the share of rows two label vectors agree on. */
export { argmaxRows, agreement } from './scoring/classification.ts';
