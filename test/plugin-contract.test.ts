// timm-style test over the registry: every registered plugin runs the generic contract automatically, so a new folder
// is checked even before its author writes a test. Defenses and victims get the full kit with default options;
// attacks get the shape and options checks here (their training runs belong in their own test files, with options
// small enough for the kit — see benchmark/plugin/README.md).
import { describe, expect, it } from 'vitest';
import { discoverPlugins, importPluginForKit, projectRoot } from '../benchmark/plugin/registry.ts';
import { testAttack, testDefense, testVictim } from '../benchmark/testkit/index.ts';

const registry = await discoverPlugins(projectRoot);

describe('registry', () => {
  it('every plugin folder loads', () => {
    expect(registry.problems).toEqual([]);
  });
});

// Discovery reads plugins as data in a sandbox; the kit runs their code, so it imports them here (tiny victim only).
for (const { folder } of registry.attacks)
  testAttack((await importPluginForKit(folder)) as Parameters<typeof testAttack>[0], { staticOnly: true });
for (const { folder } of registry.defenses)
  testDefense((await importPluginForKit(folder)) as Parameters<typeof testDefense>[0]);
for (const { raw } of registry.victims) testVictim(raw);
