// Public API of the victim store: recipe hashes, training, the shipped/cached/trained lookup, and deployment.
export { isEmptyExtra, victimHash, type VictimExtra } from './hash.ts';
export {
  trainVictim,
  type ProbeMetric,
  type TrainedVictim,
  type TrainVictimOptions,
  type VictimMetrics,
  type VictimTrainHook,
  type VictimTrainHookFactory,
} from './train.ts';
export {
  defaultCacheDir,
  findVictim,
  loadVictim,
  readMetrics,
  readVictimDir,
  saveVictim,
  shippedDir,
  shippedVariantDir,
  VICTIM_FILES,
  writeVictimAtomically,
  type LoadedVictim,
  type LoadVictimOptions,
  type VictimSource,
} from './store.ts';
export { deployVictim, DEPLOY_BATCH_SIZE, type DeployableVictim } from './deploy.ts';
export {
  applyClassifier,
  checkClassifier,
  featureStatistics,
  fitDownstreamClassifier,
  type DownstreamClassifier,
} from './classifier.ts';
export {
  augmentationOf,
  downstreamSplits,
  downstreamTasks,
  encoderSpecOf,
  loadDownstream,
  trainingDataOf,
  type DownstreamSplits,
} from './recipe.ts';
