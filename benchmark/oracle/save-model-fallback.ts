// Used by the attack process only while `benchmark/nn/model-io.ts` is absent: writes a tfjs-layers model in the
// standard tfjs file layout (model.json with topology and weights manifest + weights.bin), so whatever loads tfjs
// `file://` models can read it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';

export async function saveModelFallback(model: LayersModel, dir: string): Promise<void> {
  await model.save({
    async save(artifacts) {
      const weights = artifacts.weightData;
      if (weights !== undefined) {
        const parts = Array.isArray(weights) ? weights : [weights];
        writeFileSync(join(dir, 'weights.bin'), Buffer.concat(parts.map((b) => Buffer.from(b))));
      }
      const json = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
}
