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

export { attackChecks, runAttackOnce, type AttackCase, type AttackKitOptions, type AttackRun } from './attack-checks.ts';
export { defenseChecks, runGuardOnce, type DefenseCase, type DefenseKitOptions } from './defense-checks.ts';
export { victimChecks, knownSplitNames, type VictimKitOptions } from './victim-checks.ts';
export { ContractError, type ContractCheck, type InvalidOptionsCase } from './check.ts';
export { runChecks, formatCheckResult, verifyPluginFolder, type CheckResult, type Verification, type VerifyOptions } from './run.ts';
export { createTinyVictim, tinyImages, TINY_SHAPE, TINY_REPRESENTATION_DIM } from './tiny-victim.ts';
