// Public exports of the scoring library: pure functions on plain arrays and `Vectors`.
export { linearCka, meanCosineSimilarity } from './representation-similarity.ts';
export { accuracy, agreement, argmaxRows } from './classification.ts';
export { detectionRates, type DetectionRates } from './detection.ts';
export { aggregateCost, type AttackCost, type CostPart } from './cost.ts';
export {
  meanInterval,
  pairedDifference,
  welchTTest,
  oneSampleTTest,
  type MeanInterval,
  type PairedDifference,
  type TTestResult,
  type Alternative,
} from './stats.ts';
