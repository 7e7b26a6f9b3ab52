// Public API of benchmark/nn: encoders, heads, losses, training loops, the linear probe and model files.
export {
  adaptivePoolWindow,
  createEncoder,
  representationDimOf,
  ENCODER_ARCHS,
  type EncoderArch,
  type EncoderSpec,
} from './encoders.ts';
export { createLinearHead, createMlpHead, type MlpHeadSpec } from './heads.ts';
export {
  barlowTwinsLoss,
  contStealLoss,
  getLoss,
  infoNceLoss,
  l2NormalizeRows,
  LOSS_NAMES,
  losses,
  mseLoss,
  negCosineLoss,
  ntXentLoss,
  pairwiseSquaredDistances,
  softNearestNeighbourLoss,
  softNnStealingLoss,
  stopGradient,
  supConLoss,
  symmetrizedNegCosineLoss,
  wassersteinLoss,
  type BarlowOptions,
  type LossEntry,
  type LossName,
  type LossOptions,
  type PairLoss,
} from './losses/index.ts';
export { createAdamStepper, trainableVariables, type AdamSettings, type AdamState, type Stepper } from './optimizer.ts';
export {
  batchOrder,
  SSL_METHODS,
  trainSsl,
  trainToMatch,
  type Augment,
  type CheckpointTensor,
  type ExtraLoss,
  type SslCheckpoint,
  type SslMethod,
  type TrainedHeads,
  type TrainResult,
  type TrainSslOptions,
  type TrainToMatchOptions,
} from './train.ts';
export {
  DEFAULT_PROBE_RECIPE,
  embed,
  linearProbe,
  pixelFeatures,
  type FeatureFn,
  type FeatureSource,
  type ProbeRecipe,
  type ProbeResult,
} from './probe.ts';
export {
  fitSoftmaxClassifier,
  softmaxLossAndGradients,
  type SoftmaxClassifier,
  type SoftmaxTraining,
} from './softmax-classifier.ts';
export { loadModel, MODEL_FILES, readModelManifest, saveModel, weightsHash, type ModelManifest } from './model-io.ts';
export {
  checkImageBatch,
  checkVectors,
  imagesToTensor,
  sliceImages,
  tensorToVectors,
  vectorsToTensor,
} from './tensors.ts';
