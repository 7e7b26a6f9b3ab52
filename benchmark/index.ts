// stealbench's public API for plugin authors: everything an attack, a defense or a victim may use, by name.
// Plugins import from here (`../../benchmark/index.ts`); anything not listed is internal to the harness and may change.
// The contributor test kit has its own entry point: `benchmark/testkit/index.ts`.

// Defining plugins and configs.
export { defineAttack, defineDefense, defineVictim, defineConfig } from './plugin/define.ts';
export type {
  AccountReport,
  AttackContext,
  AttackMeta,
  AttackNeeds,
  AttackPlugin,
  BudgetState,
  Classification,
  DefenseContext,
  DefenseKind,
  DefenseMeta,
  DefensePlugin,
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
export { loadSplit, listSplits, synthetic, makeAugmentation, AUGMENTATION_PRESETS, type AugmentationSpec } from './data/index.ts';

// Statistics and representation similarity (for ownership tests and reports).
export { welchTTest, oneSampleTTest, meanInterval, type TTestResult, type MeanInterval } from './scoring/stats.ts';
export { linearCka, meanCosineSimilarity } from './scoring/representation-similarity.ts';

// The compute engine (plugins normally never call it: the harness readies it before any plugin runs).
export { initEngine, type EngineInfo } from './engine/index.ts';
