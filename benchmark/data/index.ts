// Public surface of benchmark/data: dataset readers, the synthetic generator, the published splits and the batched
// augmentations. Everything others may call is listed here by name.
export { DataFormatError } from './errors.ts';
export { readDataFile, maybeGunzip, gzipBytes, bytesToUnitFloats } from './bytes.ts';
export {
  parseIdx,
  readIdx,
  encodeIdx,
  idxToImageSet,
  readIdxImageSet,
  type IdxArray,
  type IdxImageSetOptions,
} from './idx.ts';
export { readCifar10, readCifar100, CIFAR10_CLASSES, type Cifar100ImageSet } from './cifar.ts';
export { readStl10, decodeStl10Images, STL10_CLASSES, STL10_SIDE, type Stl10Options } from './stl10.ts';
export { readPngSheet, decodePngSheet, type PngSheetOptions } from './png-sheet.ts';
export { synthetic, SYNTHETIC_CLASSES, type SyntheticOptions } from './synthetic.ts';
export { sliceImageSet, selectImageSet, imageSize } from './image-set.ts';
export {
  FASHION_MNIST_CLASSES,
  DIGIT_CLASSES,
  FASHION_MNIST_ENV,
  SYSTEM_FASHION_MNIST_DIR,
  SHIPPED_DATA_DIR,
  locateFashionMnist,
  type DataSourceOptions,
  type FashionMnistLocation,
} from './sources.ts';
export {
  loadSplit,
  listSplits,
  clearSplitCache,
  digitsPartition,
  DIGITS_SPLIT_SEED,
  SYNTHETIC_SPLIT_SEED,
  DOWNSTREAM_PROBE_SPLITS,
  type SplitSet,
  type SplitInfo,
  type SplitOptions,
} from './splits.ts';
export {
  randomResizedCrop,
  sampleCropBoxes,
  cropToBoxes,
  randomFlip,
  rotate,
  randomRotation,
  gaussianNoise,
  luma,
  randomGrayscale,
  colorJitter,
  applyColorJitter,
  sampleJitterFactors,
  hueRotationMatrix,
  gaussianBlur,
  blurWithSigmas,
  gaussianKernel1d,
  toRng,
  LUMA,
  type RngOrSeed,
  type CropOptions,
  type ColorJitterOptions,
  type JitterFactors,
  type BlurOptions,
} from './augment.ts';
export {
  makeAugmentation,
  parseAugmentationSpec,
  augmentationSpecSchema,
  AUGMENTATION_PRESETS,
  type AugmentationSpec,
  type Augmentation,
  type AugmentationPreset,
} from './augment-pipeline.ts';
