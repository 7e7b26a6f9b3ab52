// The profiles behind the findings and the nightly leaderboard, expanded with the real registry: nightly runs every
// registered attack and defense on the victims at ≥ 5 seeds (an ownership test only on a victim that declares
// ownership controls: without them its cells cannot be scored), every adaptive attack against each defense its
// meta.targets names and against `none` as the control, and every cell of the claims profile.
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../benchmark/runner/config.ts';
import { expandGrid } from '../benchmark/runner/grid.ts';
import { fromPluginRegistry } from '../benchmark/runner/registry.ts';
import { discoverPlugins } from '../benchmark/plugin/registry.ts';
import { attackTargetsFromRegistry } from '../benchmark/leaderboard/attack-targets.ts';
import { canonicalJson } from '../benchmark/runner/canonical.ts';

describe('nightly and claims profiles', async () => {
  // One discovery: the runner's registry and the defenses' hooks both come from it.
  const discovered = await discoverPlugins();
  const registry = fromPluginRegistry(discovered);
  const { targets } = await attackTargetsFromRegistry();
  const nightly = expandGrid(loadProfile('nightly'), registry).map((p) => p.cell);
  const claims = expandGrid(loadProfile('claims'), registry).map((p) => p.cell);
  // Reactive defenses (an ownership test: `verifyOwnership`) and the victims they cannot be scored on.
  const reactive = new Set(
    discovered.defenses.filter((entry) => entry.plugin.hooks.includes('verifyOwnership')).map((entry) => entry.id),
  );
  const withoutControls = new Set(
    registry.victims.filter((victim) => (victim.ownershipControls ?? []).length === 0).map((victim) => victim.id),
  );
  const has = (attack: string, defense: string) =>
    nightly.filter((c) => c.attack.id === attack && c.defense.id === defense);

  it('runs every oblivious attack against every defense, at ≥ 5 seeds on every victim it can be scored on', () => {
    const victims = [...new Set(nightly.map((c) => c.victim))];
    expect(victims.length).toBeGreaterThanOrEqual(4);
    expect(reactive).toEqual(new Set(['watermark', 'dataset-inference']));
    for (const attack of registry.attacks.filter((a) => (targets.get(a.id) ?? []).length === 0)) {
      for (const defense of registry.defenses) {
        for (const victim of victims) {
          const seeds = new Set(
            has(attack.id, defense.id)
              .filter((c) => c.victim === victim)
              .map((c) => c.seed),
          );
          const scorable = !(reactive.has(defense.id) && withoutControls.has(victim));
          if (scorable) expect(seeds.size, `${attack.id} × ${defense.id} on ${victim}`).toBeGreaterThanOrEqual(5);
          else expect(seeds.size, `${attack.id} × ${defense.id} on ${victim}: no ownership controls`).toBe(0);
        }
      }
    }
  });

  it('runs every adaptive attack against each defense it targets and against none, at ≥ 5 seeds', () => {
    const adaptive = [...targets].filter(([, ts]) => ts.length > 0);
    expect(adaptive.length).toBeGreaterThan(0);
    for (const [attack, ts] of adaptive) {
      for (const defense of [...ts, 'none']) {
        expect(new Set(has(attack, defense).map((c) => c.seed)).size, `${attack} × ${defense}`).toBeGreaterThanOrEqual(
          5,
        );
      }
    }
  });

  it('contains every cell of the claims profile, so the nightly records regenerate the Paper findings', () => {
    const keys = new Set(nightly.map((c) => canonicalJson(c)));
    const missing = claims.filter((c) => !keys.has(canonicalJson(c)));
    expect(missing.map((c) => `${c.attack.id} × ${c.defense.id} @ ${c.budget} seed ${c.seed}`)).toEqual([]);
    expect(new Set(claims.map((c) => c.seed)).size).toBeGreaterThanOrEqual(5);
  });
});
