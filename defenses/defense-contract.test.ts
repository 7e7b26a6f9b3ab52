// The contributor kit's defense contract (benchmark/testkit) on every API-side defense in this folder: options
// schema, answers shaped like the batch, no mutation of the request, determinism under a seed, report shape.
// The mechanism of each defense is tested in its own folder.
import { testDefense } from '../benchmark/testkit/index.ts';
import b4b from './b4b/index.ts';
import datasetInference from './dataset-inference/index.ts';
import gaussianNoise from './gaussian-noise/index.ts';
import none from './none/index.ts';
import proofOfWork from './proof-of-work/index.ts';
import rounding from './rounding/index.ts';
import similarQueryDetection from './similar-query-detection/index.ts';
import topK from './top-k/index.ts';
import watermark from './watermark/index.ts';

testDefense(none);
testDefense(gaussianNoise, { cases: [{}, { options: { mean: 10, sigma: 2 } }], invalid: [{ options: { sigma: -1 }, error: /sigma/ }] });
testDefense(similarQueryDetection, {
  cases: [{}, { options: { metric: 'l2', threshold: 1, useHead: false, scanLimit: 4 } }, { output: 'projection' }],
  invalid: [{ options: { metric: 'dot' }, error: /metric/ }],
});
testDefense(proofOfWork, { cases: [{ options: { solveCapBits: 8 } }], invalid: [{ options: { baseBits: -1 }, error: /baseBits/ }] });
testDefense(b4b, { cases: [{}, { options: { transform: 'permutation' } }], invalid: [{ options: { beta: 2 }, error: /beta/ }] });
testDefense(topK, { cases: [{ options: { k: 2 } }], invalid: [{ options: { k: 0 }, error: /\/k/ }] });
testDefense(rounding, { invalid: [{ options: { decimals: 0.5 }, error: /decimals/ }] });
testDefense(datasetInference, {
  cases: [{}, { options: { method: 'augmentation-distance', augmentations: 2 } }, { options: { fitOn: 'suspect', components: 2 } }],
  invalid: [{ options: { alpha: 2 }, error: /alpha/ }, { options: { method: 'distance' }, error: /method/ }],
});
testDefense(watermark, {
  cases: [{}, { options: { source: 'synthetic', verifyImages: 16 } }],
  invalid: [{ options: { lambda: 0 }, error: /lambda/ }, { options: { source: 'public' }, error: /source/ }],
});
