// The attack's side of its process. attack-bundle.ts bundles this module together with the attack plugin (and the
// engine and model-saving modules) into one JavaScript file that the harness starts under Node's permission model
// (see attack-process.ts). The process receives one `start` message, loads the plugin, readies tfjs, runs `steal`
// against an IPC oracle client, saves the stolen encoder into the output dir and reports `done` — or reports the
// phase and error where it stopped.
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { AttackContext, AttackPlugin } from '../plugin/types.ts';
import type { AttackPhase, ChildMessage, ParentMessage, StartMessage } from './attack-protocol.ts';
import { serializeError } from './errors.ts';
import { createIpcOracleClient } from './ipc-client.ts';
import { readPoolFile } from './pool-file.ts';

function send(message: ChildMessage): void {
  process.send!(message);
}

/** Sends and resolves once the message is handed to the channel (used for the last message before exiting). */
function sendLast(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => process.send!(message, undefined, {}, () => resolve()));
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** What the generated bundle entry hands in: lazy loaders, so that an error while loading is reported with its phase.
 * */
export interface ChildModules {
  plugin(): Promise<{ default?: AttackPlugin<Record<string, unknown>> }>;
  /** The project's engine (benchmark/engine: wasm + our training kernels, or native TensorFlow). */
  initEngine(backend: string | undefined): Promise<unknown>;
  /** benchmark/nn/model-io.ts `saveModel`. */
  saveModel(model: LayersModel, dir: string): Promise<void>;
}

async function run(
  modules: ChildModules,
  start: StartMessage,
  ipc: ReturnType<typeof createIpcOracleClient>,
): Promise<void> {
  let phase: AttackPhase = 'load';
  let pluginId: string | undefined;
  try {
    const mod = await modules.plugin();
    const plugin = mod.default;
    if (!plugin || typeof plugin.steal !== 'function' || typeof plugin.meta?.id !== 'string') {
      throw new Error(
        `${start.modulePath}: the default export must be an attack plugin ({ meta: { id, … }, steal(ctx, options) }).`,
      );
    }
    pluginId = plugin.meta.id;
    send({ type: 'loaded', plugin: pluginId });
    phase = 'engine';
    const engine = (await modules.initEngine(start.backend)) as { backend?: unknown } | undefined;
    const tf = await import('@tensorflow/tfjs-core');
    send({ type: 'engine', backend: typeof engine?.backend === 'string' ? engine.backend : tf.getBackend() });
    phase = 'attack';
    const ctx: AttackContext = {
      oracle: ipc.client,
      pool: readPoolFile(start.poolFile),
      budget: start.budget,
      seed: start.seed,
      deadline: start.deadline,
      progress: (done, total, message) =>
        send({ type: 'progress', done, total, ...(message === undefined ? {} : { message }) }),
      log: (message) => send({ type: 'log', message: String(message) }),
      ...(start.defense === undefined ? {} : { defense: deepFreeze(start.defense) }),
    };
    const model = await plugin.steal(ctx, deepFreeze(start.options));
    if (!model || typeof (model as LayersModel).save !== 'function') {
      throw new Error(
        `steal() must resolve to a tfjs-layers LayersModel, found ${model === null ? 'null' : typeof model}.`,
      );
    }
    phase = 'save';
    await modules.saveModel(model, start.outputDir);
    await sendLast({ type: 'done', modelDir: start.outputDir });
  } catch (error) {
    await sendLast({
      type: 'error',
      phase,
      ...(pluginId === undefined ? {} : { plugin: pluginId }),
      error: serializeError(error),
    });
  }
  // Leave explicitly: tfjs or a misbehaving attack may hold handles that would keep the process alive.
  process.exit(0);
}

/** Called once by the bundle entry: waits for the parent's `start` message and runs the attack. */
export function runAttackChild(modules: ChildModules): void {
  if (!process.send) {
    console.error(
      'This attack bundle is started by the harness (attack-process.ts) with an IPC channel; it cannot run alone.',
    );
    process.exit(2);
  }
  // Blocking stdout/stderr: a write waits until the harness has read (and counted) it. Otherwise a flood in a loop
  // that never yields piles up in this process's memory instead of reaching the harness's output limit.
  for (const stream of [process.stdout, process.stderr]) {
    (stream as unknown as { _handle?: { setBlocking?(blocking: boolean): void } })._handle?.setBlocking?.(true);
  }
  let ipc: ReturnType<typeof createIpcOracleClient> | undefined;
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'start' && !ipc) {
      ipc = createIpcOracleClient(message.oracle, send);
      void run(modules, message, ipc);
    } else if (message.type === 'reply') {
      ipc?.receive(message);
    }
  });
}
