// `stealbench train-victim <id> [--next] [--resume] [--force] [--ship]`: trains a victim recipe (or finds it shipped
// or cached), shows progress (a cli-progress bar on a terminal, plain lines in logs: epoch, loss, ETA), saves a
// checkpoint after every epoch (`<cache>/victims/partial/<hash>/`; --resume continues a stopped run bit for bit), and
// writes its weights and metrics.json (recipe, hash, training seconds, per-epoch losses, linear-probe accuracies) into
// the cache, or with --ship into `victims/<id>/weights/`, where the main job picks them up without retraining.
// --next trains the recipe the victim is being retrained to (`next` in its index.ts) instead of its current one.
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { initEngine } from '../engine/index.ts';
import type { ProgressReporter } from '../plugin/types.ts';
import { discoverPlugins, importDefense } from '../plugin/registry.ts';
import { unknownPluginMessage } from '../util/validation.ts';
import { resolveOptions } from '../plugin/options.ts';
import {
  findVictim,
  isEmptyExtra,
  loadVictim,
  shippedDir,
  shippedVariantDir,
  writeVictimAtomically,
  type LoadedVictim,
  type LoadVictimOptions,
} from '../victims/index.ts';

interface TrainVictimFlags {
  force?: boolean;
  ship?: boolean;
  backend?: string;
  /** A proactive defense whose settings change how the victim is trained (e.g. watermark). */
  defense?: string;
  /** That defense's options, as JSON. */
  defenseOptions?: string;
  probeEvery?: number;
  /** Overrides recipe.epochs (another recipe, so another hash; never shipped). */
  epochs?: number;
  /** Continue the checkpoint of a stopped run of the same recipe. */
  resume?: boolean;
  /** Train the victim's `next` recipe. */
  next?: boolean;
}

function checkCount(flag: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= 1))
    throw new Error(`${flag}: expected a positive integer, found ${value}`);
}

/** The extra recipe settings and training hook of a proactive defense, with its options validated. */
async function defenseTraining(flags: TrainVictimFlags): Promise<Pick<LoadVictimOptions, 'extra' | 'trainHook'>> {
  if (!flags.defense) return {};
  const registry = await discoverPlugins(undefined, (kind) => kind === 'defense');
  const defense = registry.defenses.find((entry) => entry.id === flags.defense);
  if (!defense)
    throw new Error(
      `--defense: ${unknownPluginMessage(
        'defense',
        flags.defense,
        registry.defenses.map((d) => d.id),
      )}`,
    );
  let raw: Record<string, unknown>;
  try {
    raw = flags.defenseOptions ? (JSON.parse(flags.defenseOptions) as Record<string, unknown>) : {};
  } catch (error) {
    throw new Error(`--defense-options: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const options = resolveOptions('defense', defense.raw, raw);
  if (!defense.raw.hooks.includes('prepareVictim'))
    throw new Error(`--defense ${flags.defense}: this defense does not change how the victim is trained`);
  // Defense code runs where the victim is trained (it shapes the training); discovery only read its meta.
  const code = await importDefense(defense);
  return {
    extra: code.prepareVictim!(options),
    ...(code.victimTrainHook ? { trainHook: code.victimTrainHook(options) } : {}),
  };
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m} min ${Math.round(s % 60)} s` : `${Math.round(s)} s`;
}

/** Progress as a bar (TTY) or as one plain line per epoch and at most one every 30 s otherwise. */
function progressReporter(stream: NodeJS.WriteStream): { onProgress: ProgressReporter; stop(): void } {
  const started = Date.now();
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: 'training [{bar}] {value}/{total} steps | {message} | ETA {eta_formatted}',
        hideCursor: true,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    let begun = false;
    return {
      onProgress(done, total, message) {
        if (!begun) {
          bar.start(total, 0, { message: '' });
          begun = true;
        }
        bar.update(done, { message: message ?? '' });
      },
      stop: () => begun && bar.stop(),
    };
  }
  let lastLine = 0;
  let lastEpoch = '';
  // A resumed run starts counting at the checkpoint's step: the rate is over the steps this process ran.
  let firstDone: number | undefined;
  return {
    onProgress(done, total, message) {
      firstDone ??= done - 1;
      const epoch = /epoch (\d+)\//.exec(message ?? '')?.[1] ?? '';
      const now = Date.now();
      if (done !== total && epoch === lastEpoch && now - lastLine < 30_000) return;
      lastLine = now;
      lastEpoch = epoch;
      const elapsed = (now - started) / 1000;
      const eta = (elapsed / (done - firstDone)) * (total - done);
      stream.write(
        `step ${done}/${total}  ${message ?? ''}  elapsed ${formatSeconds(elapsed)}  ETA ${formatSeconds(eta)}\n`,
      );
    },
    stop() {},
  };
}

function summary(victim: LoadedVictim): string {
  const m = victim.metrics;
  const lines = [`victim ${victim.id}  hash ${victim.hash}  (${victim.source}, ${victim.dir})`];
  if (m) {
    lines.push(
      `  trained on ${m.backend} in ${formatSeconds(m.trainingSeconds)} (${m.steps} ` +
        `steps); epoch losses ${m.epochLosses.map((l) => l.toFixed(4)).join(' ')}`,
    );
    for (const point of m.probeCurve?.points ?? [])
      lines.push(`  epoch ${point.epoch}: ${m.probeCurve!.task} probe ${(point.accuracy * 100).toFixed(2)}%`);
    for (const [task, p] of Object.entries(m.probes))
      lines.push(
        `  linear probe ${task}: ${(p.accuracy * 100).toFixed(2)}% (train ${(p.trainAccuracy * 100).toFixed(2)}%)`,
      );
  }
  return lines.join('\n');
}

export async function trainVictimCommand(
  id: string,
  flags: TrainVictimFlags,
  stream: NodeJS.WriteStream = process.stdout,
): Promise<LoadedVictim> {
  const engine = await initEngine(flags.backend ? { backend: flags.backend as never } : {});
  stream.write(`engine: ${engine.backend}${engine.note ? ` (${engine.note})` : ''}\n`);
  checkCount('--probe-every', flags.probeEvery);
  checkCount('--epochs', flags.epochs);
  if (flags.epochs !== undefined && flags.ship)
    throw new Error(
      '--epochs with --ship: the shipped weights must be the recipe in ' +
        'victims/<id>/index.ts; change its epochs there instead',
    );
  // A flag combination that is wrong for every victim is refused before looking at this one.
  if (flags.next && flags.ship) {
    throw new Error(
      `--next with --ship: shipped weights must match the victim's recipe; ` +
        `move next into recipe in victims/${id}/index.ts first, then ship (the ` +
        `finished run is found in the cache)`,
    );
  }
  const found = await findVictim(id);
  if (flags.next && !found.next)
    throw new Error(`--next: victim '${id}' has no next recipe (field next in victims/${id}/index.ts)`);
  const base = flags.next ? { ...found, recipe: found.next! } : found;
  const plugin = flags.epochs === undefined ? base : { ...base, recipe: { ...base.recipe, epochs: flags.epochs } };
  const progress = progressReporter(stream);
  let victim: LoadedVictim;
  try {
    victim = await loadVictim(plugin, {
      ...(await defenseTraining(flags)),
      force: flags.force ?? false,
      checkpoint: true,
      ...(flags.resume ? { resume: true } : {}),
      ...(flags.probeEvery !== undefined ? { probeEvery: flags.probeEvery } : {}),
      onProgress: progress.onProgress,
      log: (message) => stream.write(`${message}\n`),
    });
  } finally {
    progress.stop();
  }
  if (victim.source === 'shipped') {
    stream.write(`shipped weights in ${victim.dir} match the recipe: nothing to train (--force retrains)\n`);
  } else if (flags.ship) {
    if (!victim.metrics) throw new Error(`victim ${id}: ${victim.dir} has no metrics to ship`);
    const target = isEmptyExtra(victim.extra) ? shippedDir(id) : shippedVariantDir(id, victim.hash);
    await writeVictimAtomically({ ...victim, metrics: victim.metrics }, target);
    stream.write(`shipped into ${target}\n`);
  }
  stream.write(`${summary(victim)}\n`);
  return victim;
}

export function register(program: Command): void {
  program
    .command('train-victim')
    .description('train a victim recipe (or find it shipped/cached) and write its weights and metrics.json')
    .argument('<id>', 'victim id (a folder under victims/)')
    .option('--force', 'retrain even when shipped or cached weights exist (and discard a checkpoint of a stopped run)')
    .option(
      '--resume',
      'continue a stopped run of this recipe from its last epoch checkpoint (<cache>/victims/partial/<hash>/)',
    )
    .option('--next', 'train the recipe the victim is being retrained to (next in its index.ts), not its current one')
    .option(
      '--ship',
      'write the weights into victims/<id>/weights/ (the shipped copy; with --defense, victims/<id>/variants/<hash>/)',
    )
    .option(
      '--defense <id>',
      "train with a proactive defense's settings (e.g. watermark), as a benchmark cell with that defense would",
    )
    .option('--defense-options <json>', "that defense's options as JSON (default: its defaults)")
    .option(
      '--probe-every <epochs>',
      'also linear-probe the first downstream task every this many epochs (kept in metrics.probeCurve)',
      (v) => Number(v),
    )
    .option(
      '--epochs <n>',
      "train this many epochs instead of the recipe's (a different recipe: its own hash; for choosing the epoch count)",
      (v) => Number(v),
    )
    .option('--backend <name>', 'tfjs backend: auto, wasm, cpu, tensorflow (default $STEALBENCH_BACKEND or auto)')
    .action(async (id: string, flags: TrainVictimFlags) => {
      const victim = await trainVictimCommand(id, flags);
      victim.encoder.dispose();
      victim.projectionHead?.dispose();
    });
}
