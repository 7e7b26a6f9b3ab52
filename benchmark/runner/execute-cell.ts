// The cell executor: everything one benchmark cell does, in the order of the design's data flow.
//   victim (shipped weights, cache, or training; a proactive defense may change its recipe)
//   → oracle (the victim behind the defense's guard, one account per user, budgets in images)
//   → attack in its own sandboxed process (sees only the oracle client, its planned queries, options and seed)
//   → legitimate users through the same defended API
//   → scoring (probe accuracy, fidelity, detection, ownership, cost).
// Runs inside a runner worker process; any throw becomes a failed record with the phase that failed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { initEngine } from '../engine/index.ts';
import { loadSplit } from '../data/splits.ts';
import { discoverPlugins, type Registry } from '../plugin/registry.ts';
import type { ImageBatch, ImageSet, OwnershipContext, OwnershipResult, Vectors } from '../plugin/types.ts';
import { createOracle } from '../oracle/oracle.ts';
import { queryPlan, takePlan } from '../oracle/pools.ts';
import { runAttackProcess } from '../oracle/attack-process.ts';
import { loadModel } from '../nn/model-io.ts';
import { embed } from '../nn/probe.ts';
import { loadVictim, deployVictim } from '../victims/index.ts';
import { probeAccuracies, downstreamSplits, victimAccuracies } from '../scoring/downstream.ts';
import { runLegitimateUsers } from '../scoring/legitimate-users.ts';
import { linearCka, meanCosineSimilarity } from '../scoring/representation-similarity.ts';
import { deriveSeed } from '../util/random.ts';
import { once } from '../util/once.ts';
import type { CellOutcome, ExecuteCell } from './executor.ts';
import type { CellMetrics } from './record.ts';
import { attackerCost, detectionFigures, meanAccountCost } from '../scoring/cell-figures.ts';

/** Encoder trained by the provider independently of the victim: the control for ownership tests. */
const INDEPENDENT_VICTIM = 'simclr-fmnist-independent';
/** Held-out images on which stolen and victim representations are compared. */
const FIDELITY_SPLIT = 'fmnist/probe-test';

class PhaseError extends Error {
  constructor(readonly phase: string, cause: unknown, readonly plugin?: string) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    if (cause instanceof Error && cause.stack) this.stack = cause.stack;
  }
}

async function phase<T>(name: string, work: () => Promise<T>, plugin?: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof PhaseError) throw error;
    throw new PhaseError(name, error, plugin);
  }
}

function find<T extends { id: string }>(list: readonly T[], id: string, kind: string): T {
  const found = list.find((plugin) => plugin.id === id);
  if (!found) throw new Error(`no ${kind} plugin '${id}' is registered (see \`stealbench list\`)`);
  return found;
}

const seconds = (since: number) => (performance.now() - since) / 1000;

function encoderFeatures(encoder: tfl.LayersModel) {
  return (images: ImageBatch): Promise<Vectors> => embed(encoder, images);
}

export const executeCell: ExecuteCell = async (cell, ctx): Promise<CellOutcome> => {
  const durations: Record<string, number> = {};
  const started = performance.now();
  let workDir: string | undefined;
  try {
    const engine = await phase('engine', () => initEngine({ backend: ctx.backend as 'auto' }));
    const registry: Registry = await phase('registry', () => discoverPlugins());
    const victimPlugin = find(registry.victims, cell.victim, 'victim');
    const defense = find(registry.defenses, cell.defense.id, 'defense');
    const attack = find(registry.attacks, cell.attack.id, 'attack');
    const defenseOptions = Object.freeze({ ...cell.defense.options }) as never;

    // 1. The victim; a proactive defense (the watermark) changes how it is trained, which changes its hash.
    let mark = performance.now();
    ctx.progress(0, 5, 'victim');
    const extra = defense.plugin.prepareVictim?.(defenseOptions);
    const trainHook = defense.plugin.victimTrainHook?.(defenseOptions);
    const victim = await phase('victim', () => loadVictim(victimPlugin.id, { extra, ...(trainHook ? { trainHook } : {}), onProgress: (done, total, message) => ctx.log(`victim: ${done}/${total} ${message ?? ''}`) }), victimPlugin.id);
    const deployment = deployVictim(victim);
    // The provider's own training data: calibrating guards and ownership tests read it, loaded once.
    const loadPrivateData = once(() => loadSplit(victim.recipe.data));
    durations.victim = seconds(mark);

    // 2. The oracle behind the defense.
    mark = performance.now();
    const guard = defense.plugin.guard
      ? await phase('defense', async () => defense.plugin.guard!(deployment, defenseOptions, { seed: deriveSeed(cell.seed, 'defense'), log: ctx.log, loadPrivateData }), defense.id)
      : undefined;
    const oracle = createOracle({ deployment, output: cell.output, guard });
    const pool = await phase('data', () => loadSplit(cell.pool));
    const plan = queryPlan(pool, cell.budget, deriveSeed(cell.seed, 'query-plan'));
    const planned = takePlan(pool, plan);
    // Labels only for attacks that declare they use a labelled public dataset (SupCon).
    const attackerPool: ImageSet = attack.plugin.meta.needs?.labels ? planned : { ...planned, labels: null };
    const attacker = 'attacker';
    oracle.openAccount(attacker, cell.budget, 'attacker');

    // 3. The attack, sandboxed.
    ctx.progress(1, 5, `attack ${attack.id}`);
    workDir = mkdtempSync(join(tmpdir(), 'stealbench-cell-'));
    const attackResult = await runAttackProcess({
      modulePath: join(attack.folder, 'index.ts'),
      pluginId: attack.id,
      options: cell.attack.options,
      seed: deriveSeed(cell.seed, 'attack'),
      oracle,
      account: attacker,
      pool: attackerPool,
      // Leave time after the attack for the users and scoring: a minute, or a quarter of what remains if less.
      deadline: ctx.deadline - Math.min(60_000, (ctx.deadline - Date.now()) / 4),
      outputDir: join(workDir, 'stolen'),
      backend: engine.backend === 'wasm' ? 'wasm' : ctx.backend,
      onProgress: (p) => ctx.progress(1, 5, `attack ${attack.id}: ${p.done}/${p.total}${p.message ? ` ${p.message}` : ''}`),
      onLog: (message) => ctx.log(`attack: ${message}`),
    });
    durations.attack = attackResult.seconds;
    if (attackResult.state !== 'completed') {
      return {
        state: attackResult.state,
        error: { message: attackResult.error?.message ?? 'the attack did not complete', phase: attackResult.error?.phase ?? 'attack', plugin: attackResult.error?.plugin ?? attack.id, ...(attackResult.error?.stack ? { stack: attackResult.error.stack } : {}) },
        provenance: { backend: engine.backend, durations },
      };
    }
    const stolen = (await phase('scoring', () => loadModel(attackResult.modelDir!))).model;

    // 4. Legitimate users through the same defended API.
    mark = performance.now();
    ctx.progress(2, 5, 'legitimate users');
    const undefended = async (images: ImageSet) => {
      if (cell.output === 'label') {
        const classified = await deployment.classify!(images);
        return { data: classified.scores.data, count: classified.scores.count, dim: classified.scores.dim, labels: classified.labels };
      }
      const representations = await deployment.encode(images);
      return cell.output === 'projection' ? deployment.project!(representations) : representations;
    };
    const legitimate = await phase('legitimate-users', () => runLegitimateUsers(oracle, undefended, deriveSeed(cell.seed, 'legitimate')));
    durations.legitimate = seconds(mark);

    // 5. Scoring.
    mark = performance.now();
    ctx.progress(3, 5, 'scoring');
    const metrics = await phase('scoring', async () => {
      const stolenAccuracy = await probeAccuracies(stolen, cell.downstream, deriveSeed(cell.seed, 'probe'));
      const victimAccuracy = await victimAccuracies(victim, cell.downstream);
      const heldOut = await loadSplit(FIDELITY_SPLIT);
      const stolenVectors = await embed(stolen, heldOut);
      const victimVectors = await deployment.encode(heldOut);
      const fidelity: CellMetrics['fidelity'] = { cka: linearCka(stolenVectors, victimVectors) };
      if (stolenVectors.dim === victimVectors.dim) fidelity.cosine = meanCosineSimilarity(stolenVectors, victimVectors);

      const metrics: CellMetrics = {
        stolen: stolenAccuracy,
        victim: victimAccuracy,
        fidelity,
        legitimate: {
          defended: { [DEFAULT_TASK]: legitimate.defended },
          undefended: { [DEFAULT_TASK]: legitimate.undefended },
          cost: meanAccountCost(legitimate.accounts.map((account) => oracle.audit(account))),
        },
        cost: attackerCost(oracle.audit(attacker), attackResult.seconds),
      };
      const detection = detectionFigures(guard?.report?.(), (account) => oracle.audit(account), attacker, legitimate.accounts);
      if (detection) metrics.detection = detection;
      return metrics;
    });
    durations.scoring = seconds(mark);

    // 6. Ownership (reactive defenses): the stolen copy against an independently trained encoder.
    if (defense.plugin.verifyOwnership) {
      mark = performance.now();
      ctx.progress(4, 5, 'ownership');
      metrics.ownership = await phase('defense', async () => {
        const privateData = await loadPrivateData();
        const publicData = await loadSplit(downstreamSplits(DEFAULT_TASK).test);
        const base: Omit<OwnershipContext, 'suspect'> = { seed: deriveSeed(cell.seed, 'ownership'), log: ctx.log, victim: deployment, privateData, publicData };
        const stolenVerdict: OwnershipResult = await defense.plugin.verifyOwnership!(defenseOptions, { ...base, suspect: encoderFeatures(stolen) });
        const independent = await loadVictim(INDEPENDENT_VICTIM, {});
        const independentVerdict = await defense.plugin.verifyOwnership!(defenseOptions, { ...base, suspect: encoderFeatures(independent.encoder) });
        independent.encoder.dispose();
        return { stolen: stolenVerdict, independent: independentVerdict };
      }, defense.id);
      durations.ownership = seconds(mark);
    }
    guard?.dispose?.();
    stolen.dispose();
    durations.total = seconds(started);
    ctx.progress(5, 5, 'done');
    return { state: 'completed', metrics, provenance: { backend: engine.backend, dataSource: pool.source, durations } };
  } catch (error) {
    const phaseError = error instanceof PhaseError ? error : new PhaseError('executor', error);
    return {
      state: 'failed',
      error: { message: phaseError.message, phase: phaseError.phase, ...(phaseError.plugin ? { plugin: phaseError.plugin } : {}), ...(phaseError.stack ? { stack: phaseError.stack } : {}) },
      provenance: { durations },
    };
  } finally {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
    void tf;
  }
};

const DEFAULT_TASK = 'fmnist';
