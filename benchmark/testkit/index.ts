// The contributor test kit, in the manner of ESLint's RuleTester: one call in a plugin's test file registers the
// whole contract as vitest tests.
//
//   import { testAttack } from '../../benchmark/testkit/index.ts';
//   import plugin from './index.ts';
//   testAttack(plugin, { cases: [{ name: 'one epoch', options: { epochs: 1 } }] });
//
// `describe` and `it` default to vitest's; pass your own to use another runner (RuleTester.describe/it, same idea).
import { describe as vitestDescribe, it as vitestIt } from 'vitest';
import type { AttackPlugin, DefensePlugin, VictimPlugin } from '../plugin/types.ts';
import { attackChecks, type AttackKitOptions } from './attack-checks.ts';
import type { ContractCheck } from './check.ts';
import { defenseChecks, type DefenseKitOptions } from './defense-checks.ts';
import { victimChecks, type VictimKitOptions } from './victim-checks.ts';

/** Use another test runner's `describe`/`it` (as ESLint's RuleTester does); vitest's by default. */
export interface TestHooks {
  describe?: (name: string, body: () => void) => void;
  it?: (name: string, body: () => Promise<void>) => void;
}

function register(title: string, checks: ContractCheck[], hooks: TestHooks): void {
  const describe = hooks.describe ?? vitestDescribe;
  const it = hooks.it ?? vitestIt;
  describe(title, () => {
    for (const check of checks) {
      it(check.name, async () => {
        await check.run();
      });
    }
  });
}

/** Register the attack contract: shape, options, budget, output shape, no leaks, determinism (per case). */
export function testAttack(plugin: AttackPlugin<any>, options: AttackKitOptions & TestHooks = {}): void {
  register(`attack '${plugin?.meta?.id}' contract`, attackChecks(plugin, options), options);
}

/** Register the defense contract: shape, options, guard answers/no mutation/determinism/no leaks, report, ownership. */
export function testDefense(plugin: DefensePlugin<any>, options: DefenseKitOptions & TestHooks = {}): void {
  register(`defense '${plugin?.meta?.id}' contract`, defenseChecks(plugin, options), options);
}

/** Register the victim contract: meta and recipe valid, known data splits, shipped weights from this recipe. */
export function testVictim(plugin: VictimPlugin, options: VictimKitOptions & TestHooks = {}): void {
  register(`victim '${plugin?.meta?.id}' contract`, victimChecks(plugin, options), options);
}

export {
  attackChecks,
  runAttackOnce,
  type AttackCase,
  type AttackKitOptions,
  type AttackRun,
} from './attack-checks.ts';
export { defenseChecks, runGuardOnce, type DefenseCase, type DefenseKitOptions } from './defense-checks.ts';
export { victimChecks, knownSplitNames, type VictimKitOptions } from './victim-checks.ts';
export { ContractError, type ContractCheck, type InvalidOptionsCase } from './check.ts';
export {
  runChecks,
  formatCheckResult,
  verifyPluginFolder,
  type CheckResult,
  type Verification,
  type VerifyOptions,
} from './run.ts';
export {
  createTinyVictim,
  tinyImages,
  TINY_SHAPE,
  TINY_REPRESENTATION_DIM,
  type TinyVictim,
  type TinyVictimSpec,
} from './tiny-victim.ts';

// Measuring a plugin: what experiment scripts (attacks/_experiments, defenses/_experiments, <plugin>/experiments)
// use besides the public API. One argument parser (commander, as the CLI), one marker syntax, one record reader.
export {
  experimentCommand,
  runIfMain,
  isMain,
  integerList,
  jsonObject,
  spliceIntoFile,
  victimAvailable,
} from './experiment.ts';
export { markerStart, markerEnd, markedBlock, spliceMarkedBlock } from '../claims/markers.ts';
/** One record per cell (the newest when a folder holds several runs of it), from a folder of result records. */
export { readRecords, readRecordsAcross, newestPerCell } from '../leaderboard/read-records.ts';
export { meanInterval, type MeanInterval } from '../scoring/stats.ts';
export { powerOverSeeds, type PowerOverSeeds } from '../scoring/ownership-power.ts';
/** The leaderboard's own cell formatting, so experiment tables read like the leaderboard. */
export { canonicalJson, variantLabels } from '../leaderboard/group.ts';
export { cellText, stateSummary } from '../leaderboard/format.ts';
/** The leaderboard's worst-case tables (oblivious vs adaptive attacks per defense) and the metas that drive them. */
export { renderWorstCase } from '../leaderboard/render.ts';
export { attackTargetsFromRegistry } from '../leaderboard/attack-targets.ts';
export type { CellRecord, CellMetrics } from '../runner/record.ts';

// Running a plugin by hand: the harness's own option resolution, an in-process oracle, and the victim store, for
// plugin tests and experiment scripts that measure a plugin on a real (shipped or cached) victim.
/** Resolves raw options through the plugin's schema exactly as the harness does (defaults applied, frozen). */
export { resolveOptions, PluginOptionsError } from '../plugin/options.ts';
/** The victim behind the oracle, in-process: accounts, budgets in images, the audit log, a guard if given. */
export { createOracle, queryPlan, takePlan, type AuditEntry, type Oracle } from '../oracle/index.ts';
/** Loads a victim (shipped weights, the cache, or training it), and serves it as a `VictimDeployment`. */
export {
  defaultCacheDir,
  deployVictim,
  encoderSpecOf,
  findVictim,
  loadVictim,
  readMetrics,
  shippedDir,
  trainVictim,
  victimHash,
  type LoadedVictim,
} from '../victims/index.ts';
/** What an adaptive attack's `ctx.defense` is for a defense and its options (secret options removed), for tests. */
export { publicDefense, defenseViewFor } from '../plugin/public-options.ts';
/** The probe splits (train, test) of a downstream task, e.g. `fmnist` → its probe-train and probe-test. */
export { downstreamSplits } from '../scoring/downstream.ts';
