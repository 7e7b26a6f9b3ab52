// The victim's cache key: sha256 of the canonical JSON (RFC 8785) of its recipe, plus the extra training settings a
// proactive defense adds (the watermark's), when there are any. The harness version is deliberately left out: shipped
// weights stay valid across harness releases as long as the recipe that produced them is unchanged.
import { canonicalJson, sha256Hex } from '../runner/canonical.ts';
import type { VictimRecipe } from '../plugin/types.ts';

/** Extra settings that change how a victim is trained (plain JSON), e.g. what `DefensePlugin.prepareVictim` returns. */
export type VictimExtra = Record<string, unknown>;

/** True when `extra` adds nothing (absent or `{}`): such a victim is the plain recipe's victim. */
export function isEmptyExtra(extra: VictimExtra | undefined): boolean {
  return extra === undefined || Object.keys(extra).length === 0;
}

/** Hex sha256 identifying the victim trained from `recipe` (and `extra`). Throws when either is not plain JSON. */
export function victimHash(recipe: VictimRecipe, extra?: VictimExtra): string {
  let text: string;
  try {
    text = canonicalJson(isEmptyExtra(extra) ? { recipe } : { recipe, extra });
  } catch (error) {
    throw new Error(
      `victimHash: the recipe and extra settings must be plain JSON: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
  return sha256Hex(text);
}
