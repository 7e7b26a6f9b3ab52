// Model files without tfjs-node: a folder holding the standard tfjs layers format (model.json with the topology and
// the weights manifest, weights.bin) plus our manifest.json (sha256 of the weights, shapes, caller metadata).
// Each file is written to a temporary name and renamed into place, manifest last, so a reader never sees a half
// written model: a folder without manifest.json is incomplete. Loading verifies the weights against the manifest.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export const MODEL_FILES = { topology: 'model.json', weights: 'weights.bin', manifest: 'manifest.json' } as const;

export interface ModelManifest {
  format: 'stealbench-model';
  version: 1;
  /** sha256 of the weights as `weightsHash` computes it. */
  weightsSha256: string;
  weightsBytes: number;
  inputShape: (number | null)[];
  outputShape: (number | null)[];
  tfjsVersion: string;
  /** Whatever the caller wants kept with the weights (recipe, metrics, provenance). */
  metadata: Record<string, unknown>;
}

/**
 * sha256 over every weight of the model (trainable and not, in the model's order): its dtype, shape and float32
 * bytes. Names are left out because tfjs numbers them per process; two models with the same values hash the same.
 */
export function weightsHash(model: tfl.LayersModel): string {
  const hash = createHash('sha256');
  for (const w of model.weights) {
    const t = w.read();
    hash.update(`${t.dtype}[${t.shape.join(',')}]`);
    const values = t.dataSync() as Float32Array;
    hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }
  return hash.digest('hex');
}

async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Saves `model` into `dir` (created if needed; existing model files are replaced). Returns the manifest written. */
export async function saveModel(
  model: tfl.LayersModel,
  dir: string,
  metadata: Record<string, unknown> = {},
): Promise<ModelManifest> {
  let manifest: ModelManifest | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      if (!artifacts.weightSpecs || artifacts.weightData === undefined)
        throw new Error(`saveModel(${dir}): tfjs produced no weights`);
      const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
      const topology = {
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [MODEL_FILES.weights], weights: artifacts.weightSpecs }],
      };
      manifest = {
        format: 'stealbench-model',
        version: 1,
        weightsSha256: weightsHash(model),
        weightsBytes: weights.byteLength,
        inputShape: model.inputs[0]!.shape,
        outputShape: model.outputs[0]!.shape,
        tfjsVersion: tf.version_core,
        metadata,
      };
      await mkdir(dir, { recursive: true });
      // An old manifest would vouch for files that are about to change: remove it first, write the new one last.
      await rm(join(dir, MODEL_FILES.manifest), { force: true });
      await writeAtomic(join(dir, MODEL_FILES.weights), weights);
      await writeAtomic(join(dir, MODEL_FILES.topology), JSON.stringify(topology));
      await writeAtomic(join(dir, MODEL_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  return manifest!;
}

async function readOrExplain(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`loadModel: ${path} not found (expected ${what}, written by saveModel)`, { cause: error });
    }
    throw error;
  }
}

export async function readModelManifest(dir: string): Promise<ModelManifest> {
  const path = join(dir, MODEL_FILES.manifest);
  const text = (await readOrExplain(path, 'the model manifest')).toString('utf8');
  let manifest: ModelManifest;
  try {
    manifest = JSON.parse(text) as ModelManifest;
  } catch (error) {
    throw new Error(`loadModel: ${path} is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  if (manifest.format !== 'stealbench-model' || manifest.version !== 1) {
    throw new Error(
      `loadModel: ${path}: expected format "stealbench-model" version 1, ` +
        `found ${JSON.stringify(manifest.format)} version ${JSON.stringify(manifest.version)}`,
    );
  }
  if (typeof manifest.weightsSha256 !== 'string') throw new Error(`loadModel: ${path}: field weightsSha256 missing`);
  return manifest;
}

/** Loads a model saved by saveModel and checks its weights against the manifest. */
export async function loadModel(dir: string): Promise<{ model: tfl.LayersModel; manifest: ModelManifest }> {
  const manifest = await readModelManifest(dir);
  const topologyPath = join(dir, MODEL_FILES.topology);
  const weightsPath = join(dir, MODEL_FILES.weights);
  let topology: { modelTopology?: object; weightsManifest?: Array<{ weights: tf.io.WeightsManifestEntry[] }> };
  try {
    topology = JSON.parse((await readOrExplain(topologyPath, 'the model topology')).toString('utf8'));
  } catch (error) {
    if ((error as Error).message.startsWith('loadModel:')) throw error;
    throw new Error(`loadModel: ${topologyPath} is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  if (!topology.modelTopology || !Array.isArray(topology.weightsManifest)) {
    throw new Error(`loadModel: ${topologyPath}: expected fields modelTopology and weightsManifest`);
  }
  const weightSpecs = topology.weightsManifest.flatMap((group) => group.weights);
  const bytes = await readOrExplain(weightsPath, 'the weights');
  if (bytes.byteLength !== manifest.weightsBytes) {
    throw new Error(
      `loadModel: ${weightsPath} has ${bytes.byteLength} bytes, the manifest says ${manifest.weightsBytes}`,
    );
  }
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const model = await tfl.loadLayersModel(
    tf.io.fromMemory({ modelTopology: topology.modelTopology, weightSpecs, weightData }),
  );
  const actual = weightsHash(model);
  if (actual !== manifest.weightsSha256) {
    model.dispose();
    throw new Error(
      `loadModel: ${dir}: the weights' sha256 is ${actual}, the manifest says ` +
        `${manifest.weightsSha256} (corrupt or edited files)`,
    );
  }
  return { model, manifest };
}
