// The cell executor: everything one benchmark cell does, in the order of the design's data flow.
//   victim (shipped weights, cache, or training; a proactive defense may change its recipe)
//   → oracle (the victim behind the defense's guard, one account per user, budgets in images)
//   → attack in its own sandboxed process (sees only the oracle client, its planned queries, options and seed)
//   → legitimate users through the same defended API
//   → scoring (probe accuracy, fidelity, detection, ownership, cost).
// Runs inside a runner worker process; any throw becomes a failed record with the phase that failed.
// Blame comes from what the harness observed, never from what a plugin says: the oracle keeps every victim or defense
// fault it sees (even one an attack caught), every encoder is checked before it is used, and plugin text is capped.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { initEngine } from '../engine/index.ts';
import { parseBackendChoice } from '../engine/backend-choice.ts';
import { loadSplit, FIDELITY_SPLIT } from '../data/splits.ts';
import { discoverPlugins, findPlugin, importDefense, type Registry } from '../plugin/registry.ts';
import type { ImageBatch, ImageSet, OwnershipContext, Vectors } from '../plugin/types.ts';
import { createOracle, type Oracle } from '../oracle/oracle.ts';
import { legitimateKnownAnswers } from './known-answers.ts';
import { legitimateAccountId, openAttackerAccounts } from '../oracle/accounts.ts';
import { validateAccountReports, validateDefenseFigures } from '../oracle/validate.ts';
import { encoderProblem } from '../nn/encoder-check.ts';
import { capText, MAX_STACK_CHARS } from '../util/cap-text.ts';
import { queryPlan, takePlan } from '../oracle/pools.ts';
import { runAttackProcess } from '../oracle/attack-process.ts';
import { defenseViewFor } from '../plugin/public-options.ts';
import { loadModel } from '../nn/model-io.ts';
import { embed } from '../nn/probe.ts';
import { loadVictim, deployVictim } from '../victims/index.ts';
import { downstreamSplits, featureMemo, scoreDownstream, victimFeatures } from '../scoring/downstream.ts';
import { planLegitimateUsers, scoreLegitimateUsers, type LegitimateTaskAnswers } from '../scoring/legitimate-users.ts';
import {
  concatAnswers,
  concatImages,
  createLegitimateTraffic,
  interleavedClient,
  legitimateSchedule,
  sliceAnswer,
} from '../oracle/interleave.ts';
import { linearCka, meanCosineSimilarity } from '../scoring/representation-similarity.ts';
import { deriveSeed } from '../util/random.ts';
import { once } from '../util/once.ts';
import { makeTempDir } from '../util/temp-dirs.ts';
import type { CellOutcome, ExecuteCell } from '../runner/executor.ts';
import type { CellMetrics } from '../runner/record.ts';
import { ownershipControls } from '../runner/grid.ts';
import { attackerCost, cellTraffic, detectionFigures, meanAccountCost } from '../scoring/cell-figures.ts';
import { verifyWithPower } from '../scoring/ownership-power.ts';
import { detectionRuleRates } from '../scoring/detection.ts';

/** Held-out images on which stolen and victim representations are compared. */

class PhaseError extends Error {
  constructor(
    readonly phase: string,
    cause: unknown,
    readonly plugin?: string,
  ) {
    // Capped: the text may be a plugin's (a 20 MB error message must not become a 20 MB record).
    super(capText(cause instanceof Error ? cause.message : String(cause)), { cause });
    if (cause instanceof Error && typeof cause.stack === 'string') this.stack = capText(cause.stack, MAX_STACK_CHARS);
  }
}

/** The first victim or defense fault the oracle saw, as the cell's error: that party is to blame, whoever caught it. */
function throwIfFault(oracle: Oracle, victim: string, defense: string): void {
  const [fault] = oracle.faults();
  if (fault) throw new PhaseError(fault.party, new Error(fault.message), fault.party === 'victim' ? victim : defense);
}

/** Refuses an encoder that is not a finite, rank-2 encoder of the victim's images, naming whose it is. */
function checkEncoder(model: tfl.LayersModel, inputShape: readonly [number, number, number], whose: string): void {
  const problem = encoderProblem(model, inputShape);
  if (problem) throw new Error(`${whose} is refused: ${problem}`);
}

async function phase<T>(name: string, work: () => Promise<T>, plugin?: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof PhaseError) throw error;
    throw new PhaseError(name, error, plugin);
  }
}

const seconds = (since: number) => (performance.now() - since) / 1000;

function encoderFeatures(encoder: tfl.LayersModel) {
  return (images: ImageBatch): Promise<Vectors> => embed(encoder, images);
}

export const executeCell: ExecuteCell = async (cell, ctx): Promise<CellOutcome> => {
  const durations: Record<string, number> = {};
  const started = performance.now();
  let workDir: string | undefined;
  // Once open, every outcome (failed ones too) carries the oracle's audit: accounts, roles, images spent.
  let openedOracle: Oracle | undefined;
  const traffic = () => (openedOracle ? { traffic: cellTraffic(openedOracle.accounts()) } : {});
  try {
    const engine = await phase('engine', () => initEngine({ backend: parseBackendChoice(ctx.backend, '--backend') }));
    // Only this cell's plugins, read as data in the sandbox: no attack code runs in this process (it holds the victim).
    const used = { victim: cell.victim, defense: cell.defense.id, attack: cell.attack.id };
    const registry: Registry = await phase('registry', () =>
      discoverPlugins(undefined, (kind, id) => used[kind] === id),
    );
    // A plugin that no longer loads here (changed since the run was planned) is blamed on that plugin, phase 'load'.
    const victimPlugin = await phase('load', async () => findPlugin(registry, 'victim', cell.victim), cell.victim);
    const defense = await phase('load', async () => findPlugin(registry, 'defense', cell.defense.id), cell.defense.id);
    const attack = await phase('load', async () => findPlugin(registry, 'attack', cell.attack.id), cell.attack.id);
    // Defense code runs here, next to the victim it guards (see SECURITY.md); attack code only in its sandbox.
    const defenseCode = await phase('defense', () => importDefense(defense), defense.id);
    const defenseOptions: Readonly<Record<string, unknown>> = Object.freeze({ ...cell.defense.options });

    // 1. The victim; a proactive defense (the watermark) changes how it is trained, which changes its hash.
    let mark = performance.now();
    ctx.progress(0, 5, 'victim');
    const extra = await phase('defense', async () => defenseCode.prepareVictim?.(defenseOptions), defense.id);
    const trainHook = await phase('defense', async () => defenseCode.victimTrainHook?.(defenseOptions), defense.id);
    const victim = await phase(
      'victim',
      () =>
        loadVictim(victimPlugin.id, {
          extra,
          ...(trainHook ? { trainHook } : {}),
          onProgress: (done, total, message) => ctx.log(`victim: ${done}/${total} ${message ?? ''}`),
        }),
      victimPlugin.id,
    );
    const deployment = await phase(
      'victim',
      async () => {
        const shape = victim.encoder.inputs[0]!.shape;
        checkEncoder(
          victim.encoder,
          [shape[1], shape[2], shape[3]] as [number, number, number],
          `the encoder of victim "${victimPlugin.id}"`,
        );
        return deployVictim(victim);
      },
      victimPlugin.id,
    );
    // The provider's own training data: calibrating guards and ownership tests read it, loaded once.
    const loadPrivateData = once(() => loadSplit(victim.recipe.data));
    durations.victim = seconds(mark);

    // 2. The oracle behind the defense.
    mark = performance.now();
    const guard = defenseCode.guard
      ? await phase(
          'defense',
          async () =>
            defenseCode.guard!(deployment, defenseOptions, {
              seed: deriveSeed(cell.seed, 'defense'),
              log: ctx.log,
              loadPrivateData,
            }),
          defense.id,
        )
      : undefined;
    // The legitimate users' workload, and the victim's clean answers to it (the same in every cell of this victim).
    const usersStarted = performance.now();
    const userPlans = await phase('legitimate-users', () => planLegitimateUsers(cell.downstream));
    const knownAnswers = await phase('legitimate-users', () =>
      legitimateKnownAnswers(userPlans, { deployment, victimHash: victim.hash, output: cell.output }),
    );
    const usersPlanSeconds = seconds(usersStarted);
    const oracle = createOracle({ deployment, output: cell.output, guard, knownAnswers });
    openedOracle = oracle;
    const pool = await phase('data', () => loadSplit(cell.pool));
    const plan = queryPlan(pool, cell.budget, deriveSeed(cell.seed, 'query-plan'));
    const planned = takePlan(pool, plan);
    // Labels only for attacks that declare they use a labelled public dataset (SupCon).
    const attackerPool: ImageSet = attack.plugin.meta.needs?.labels ? planned : { ...planned, labels: null };
    // The attacker's accounts: one budget over opaque ids, opened as the attack first uses each index (sybils).
    const attacker = openAttackerAccounts(oracle, cell.budget, ctx.key);
    // The legitimate users: opaque accounts of the same form, their batches interleaved with the attacker's on a
    // seeded schedule (some before its first query), so that neither name nor order tells the defense who attacks.
    const users = [...new Set(userPlans.map((p) => p.account))];
    const userAccounts = new Map(users.map((user, u) => [user, legitimateAccountId(ctx.key, u)]));
    const streams = userPlans.map((p) => ({
      account: userAccounts.get(p.account)!,
      images: concatImages(p.train, p.test),
    }));
    for (const [user, id] of userAccounts) {
      const images = userPlans
        .filter((p) => p.account === user)
        .reduce((sum, p) => sum + p.train.count + p.test.count, 0);
      oracle.openAccount(id, images, 'legitimate');
    }
    const schedule = legitimateSchedule(
      streams.map((stream) => stream.images.count),
      cell.budget,
      deriveSeed(cell.seed, 'legitimate'),
    );
    const legitimateTraffic = createLegitimateTraffic(oracle, streams, schedule);
    const attackerClient = interleavedClient(oracle.client(attacker), () => attacker.budget().used, legitimateTraffic);

    // 3. The attack, sandboxed.
    ctx.progress(1, 5, `attack ${attack.id}`);
    workDir = makeTempDir('cell');
    const attackResult = await runAttackProcess({
      modulePath: join(attack.folder, 'index.ts'),
      pluginId: attack.id,
      options: cell.attack.options,
      seed: deriveSeed(cell.seed, 'attack'),
      oracle,
      account: attacker,
      client: attackerClient,
      pausedSeconds: () => legitimateTraffic.seconds(),
      pool: attackerPool,
      // An adaptive attack (meta.targets) knows the defense's mechanism and public options, never its secrets.
      defense: defenseViewFor(attack.plugin, defense.plugin, cell.defense.options),
      // Leave time after the attack for the users and scoring: a minute, or a quarter of what remains if less.
      deadline: ctx.deadline - Math.min(60_000, (ctx.deadline - Date.now()) / 4),
      outputDir: join(workDir, 'stolen'),
      backend: engine.backend === 'wasm' ? 'wasm' : ctx.backend,
      onProgress: (p) =>
        ctx.progress(1, 5, `attack ${attack.id}: ${p.done}/${p.total}${p.message ? ` ${p.message}` : ''}`),
      onLog: (message) => ctx.log(`attack: ${message}`),
      memoryMB: ctx.memoryMB,
    });
    // The legitimate batches sent while the attack ran are not the attacker's time.
    const attackSeconds = Math.max(0, attackResult.seconds - legitimateTraffic.seconds());
    durations.attack = attackSeconds;
    // A fault of the victim or the defense during the attack is theirs, even if the attack then failed or caught it.
    throwIfFault(oracle, victimPlugin.id, defense.id);
    if (attackResult.state !== 'completed') {
      // The attack's process is the attack's: whatever it reported, the attack is blamed (never the plugin it names).
      const reported = attackResult.error;
      return {
        state: attackResult.state,
        error: {
          message: capText(reported?.message ?? 'the attack did not complete'),
          phase:
            reported?.phase === 'worker' || reported?.phase === 'load' || reported?.phase === 'save'
              ? reported.phase
              : 'attack',
          plugin: attack.id,
          ...(reported?.stack ? { stack: capText(reported.stack, MAX_STACK_CHARS) } : {}),
        },
        ...traffic(),
        provenance: { backend: engine.backend, durations },
      };
    }
    const stolen = (await phase('attack', () => loadModel(attackResult.modelDir!), attack.id)).model;
    await phase(
      'attack',
      async () => checkEncoder(stolen, oracle.inputShape, `the encoder stolen by attack "${attack.id}"`),
      attack.id,
    );

    // 4. Legitimate users through the same defended API.
    mark = performance.now();
    ctx.progress(2, 5, 'legitimate users');
    // What is still due after the attack is sent now; the users' figures come from what they were answered.
    await legitimateTraffic.finish();
    throwIfFault(oracle, victimPlugin.id, defense.id);
    if (legitimateTraffic.error() !== undefined) throw new PhaseError('legitimate-users', legitimateTraffic.error());
    const streamAnswers = legitimateTraffic.answers();
    const userAnswers: LegitimateTaskAnswers[] = userPlans.map((p, i) => {
      const all = concatAnswers(streamAnswers[i]!);
      return {
        account: p.account,
        task: p.task,
        train: sliceAnswer(all, 0, p.train.count),
        test: sliceAnswer(all, p.train.count, all.count),
      };
    });
    const legitimate = await phase('legitimate-users', () =>
      scoreLegitimateUsers(userAnswers, {
        deployment,
        victimHash: victim.hash,
        output: cell.output,
        seed: deriveSeed(cell.seed, 'legitimate'),
        defense: {
          id: defense.id,
          hash: ctx.pluginHashes[`defense:${defense.id}`] ?? '',
          options: cell.defense.options,
        },
      }),
    );
    const legitimateIds = [...userAccounts.values()];
    const attackerIds = attacker.opened();
    durations.legitimate = seconds(mark) + legitimateTraffic.seconds() + usersPlanSeconds;
    // Per-account verdicts are the defense's answer too: checked like its query answers, blamed on it if broken.
    const reports = await phase(
      'defense',
      async () => {
        const returned: unknown = guard?.report?.();
        if (returned !== undefined) validateAccountReports(returned);
        return returned;
      },
      defense.id,
    );
    // Figures the defense reports about itself (e.g. the victim spread its noise was scaled to).
    const defenseFigures = await phase(
      'defense',
      async () => {
        const returned: unknown = guard?.figures?.();
        if (returned !== undefined) validateDefenseFigures(returned);
        return returned;
      },
      defense.id,
    );

    // 5. Scoring.
    mark = performance.now();
    ctx.progress(3, 5, 'scoring');
    const metrics = await phase('scoring', async () => {
      // Each split is embedded once per encoder: the probe and the fidelity share the stolen copy's features, and
      // the victim's come from the cache.
      const stolenFeatures = featureMemo(stolen);
      const downstream = await scoreDownstream(stolenFeatures, victim, cell.downstream, deriveSeed(cell.seed, 'probe'));
      const heldOut = await loadSplit(FIDELITY_SPLIT);
      const stolenVectors = await stolenFeatures(heldOut);
      const victimVectors = await victimFeatures(victim)(heldOut);
      const fidelity: CellMetrics['fidelity'] = { cka: linearCka(stolenVectors, victimVectors) };
      if (stolenVectors.dim === victimVectors.dim) fidelity.cosine = meanCosineSimilarity(stolenVectors, victimVectors);

      const metrics: CellMetrics = {
        stolen: downstream.stolen,
        victim: downstream.victim,
        agreement: downstream.agreement,
        fidelity,
        legitimate: {
          defended: legitimate.defended,
          undefended: legitimate.undefended,
          defendedCleanTest: legitimate.defendedCleanTest,
          drop: legitimate.drop,
          ...(legitimate.flaggedAnswers ? { flaggedAnswers: legitimate.flaggedAnswers } : {}),
          cost: meanAccountCost(legitimateIds.map((account) => oracle.audit(account))),
        },
        cost: attackerCost(
          attackerIds.flatMap((account) => oracle.audit(account)),
          attackSeconds,
        ),
      };
      const detection = detectionFigures(reports, (account) => oracle.audit(account), attackerIds, legitimateIds);
      if (detection) metrics.detection = detection;
      // Similar-query detection per history window and pairwise, from the per-account rule counts.
      const windows = detectionRuleRates(reports, attackerIds, legitimateIds);
      if (metrics.detection && windows.length > 0) metrics.detection.windows = windows;
      if (defenseFigures && Object.keys(defenseFigures).length > 0) metrics.defense = defenseFigures;
      return metrics;
    });
    durations.scoring = seconds(mark);

    // 6. Ownership (reactive defenses): the stolen copy, the victim itself and the independently trained encoders.
    if (defenseCode.verifyOwnership) {
      mark = performance.now();
      ctx.progress(4, 5, 'ownership');
      metrics.ownership = await phase(
        'defense',
        async () => {
          const privateData = await loadPrivateData();
          const publicData = await loadSplit(downstreamSplits(DEFAULT_TASK).test);
          const base: Omit<OwnershipContext, 'suspect'> = {
            seed: deriveSeed(cell.seed, 'ownership'),
            log: ctx.log,
            victim: deployment,
            privateData,
            publicData,
          };
          // The controls: encoders the provider trained independently of the victim (the victim's
          // meta.ownershipControls, keyed into the cell through its plugin hashes).
          const controls = ownershipControls(ctx.pluginHashes);
          if (controls.length === 0) {
            throw new Error(
              `victim '${victimPlugin.id}' declares no ownership control ` +
                `(meta.ownershipControls), so reactive defense '${defense.id}' cannot ` +
                `be scored`,
            );
          }
          // The stolen verdict is reported with the test's power: the same test on the victim itself and on every
          // control.
          return verifyWithPower((suspect) => defenseCode.verifyOwnership!(defenseOptions, { ...base, suspect }), {
            stolen: encoderFeatures(stolen),
            victim: (images) => deployment.encode(images),
            independents: controls.map((id) => ({
              id,
              open: async () => {
                const independent = await loadVictim(id, {});
                return {
                  features: encoderFeatures(independent.encoder),
                  dispose: () => {
                    independent.encoder.dispose();
                    independent.projectionHead?.dispose();
                  },
                };
              },
            })),
          });
        },
        defense.id,
      );
      durations.ownership = seconds(mark);
    }
    await phase('defense', async () => guard?.dispose?.(), defense.id);
    stolen.dispose();
    durations.total = seconds(started);
    ctx.progress(5, 5, 'done');
    return {
      state: 'completed',
      metrics,
      ...traffic(),
      provenance: { backend: engine.backend, dataSource: pool.source, durations },
    };
  } catch (error) {
    const phaseError = error instanceof PhaseError ? error : new PhaseError('executor', error);
    return {
      state: 'failed',
      error: {
        message: phaseError.message,
        phase: phaseError.phase,
        ...(phaseError.plugin ? { plugin: phaseError.plugin } : {}),
        ...(phaseError.stack ? { stack: phaseError.stack } : {}),
      },
      ...traffic(),
      provenance: { durations },
    };
  } finally {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  }
};

const DEFAULT_TASK = 'fmnist';
