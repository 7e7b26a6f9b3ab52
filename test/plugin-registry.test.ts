// Plugin discovery on fixture trees written to a temp folder: good plugins load with wrapped hooks and content hashes;
// broken folders are reported (never skipped) with the reason; errors from hooks name the plugin and the hook.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverPlugins, findPlugin, hashPluginFolder, type Registry } from '../benchmark/plugin/registry.ts';
import { PluginHookError, wrapPluginCall } from '../benchmark/plugin/wrap.ts';

let root: string;
let registry: Registry;

function write(path: string, text: string): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
}

const goodAttack = `export default {
  meta: { id: 'good-attack', title: 'Good', paper: 'Nobody, 2024', options: { type: 'object', properties: { n: { type: 'integer', default: 1 } } } },
  async steal() { throw new Error('no victim here'); },
};`;

const goodDefense = `export default {
  meta: { id: 'good-defense', title: 'Good defense', paper: 'Nobody, 2024', kind: 'active' },
  guard() { return { answer: async () => { throw new RangeError('bad batch'); }, report: () => { throw new Error('no report'); } }; },
  prepareVictim() { throw new Error('sync failure'); },
};`;

const goodVictim = `export default {
  meta: { id: 'good-victim', title: 'Good victim' },
  recipe: { method: 'simclr', encoder: { arch: 'conv3', inputShape: [28, 28, 1] }, data: 'synthetic/train', augmentation: 'light',
            epochs: 1, batchSize: 8, learningRate: 0.01, seed: 1 },
};`;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'stealbench-registry-'));
  write('attacks/good-attack/index.ts', goodAttack);
  write('attacks/good-attack/helper.ts', 'export const x = 1;\n');
  write('attacks/good-attack/README.md', '# Good\n');
  write('attacks/good-attack/good-attack.test.ts', '// test\n');
  write('attacks/wrong-id/index.ts', goodAttack);
  write('attacks/throws-on-load/index.ts', "throw new Error('boom at import');\nexport default {};\n");
  write('attacks/no-default/index.ts', 'export const plugin = {};\n');
  write('attacks/no-index/README.md', '# nothing\n');
  write('attacks/_shared/index.ts', 'export const helper = 1;\n');
  write('attacks/bad-meta/index.ts', "export default { meta: { id: 'bad-meta', title: '', paper: 'x', needs: { output: 'logits' } } };\n");
  write('defenses/good-defense/index.ts', goodDefense);
  write('defenses/no-guard/index.ts', "export default { meta: { id: 'no-guard', title: 'x', paper: 'y', kind: 'passive' } };\n");
  write('victims/good-victim/index.ts', goodVictim);
  write('victims/bad-recipe/index.ts', "export default { meta: { id: 'bad-recipe', title: 'x' }, recipe: { method: 'moco', encoder: { arch: 'a', inputShape: [28, 28] } } };\n");
  registry = await discoverPlugins(root);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const problemsOf = (folder: string) => registry.problems.filter((p) => p.folder === folder).map((p) => p.message);

describe('discoverPlugins', () => {
  it('registers the well-formed plugins and only those', () => {
    expect(registry.attacks.map((a) => a.id)).toEqual(['good-attack']);
    expect(registry.defenses.map((d) => d.id)).toEqual(['good-defense']);
    expect(registry.victims.map((v) => v.id)).toEqual(['good-victim']);
    expect(registry.attacks[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reports every broken folder with the reason, and skips _helper folders', () => {
    expect(problemsOf('attacks/wrong-id')).toEqual(["meta.id 'good-attack' must equal the folder name 'wrong-id'"]);
    expect(problemsOf('attacks/throws-on-load')).toEqual(['index.ts failed to load: boom at import']);
    expect(problemsOf('attacks/no-default')[0]).toMatch(/no default export: write `export default defineAttack/);
    expect(problemsOf('attacks/no-index')[0]).toMatch(/^no index.ts/);
    expect(problemsOf('attacks/bad-meta')).toEqual([
      'meta.title: must NOT have fewer than 1 characters, found ""',
      'meta.needs.output: must be equal to one of the allowed values ("representation", "projection", "label"), found "logits"',
      'an attack must have a steal(ctx, options) function',
    ]);
    expect(problemsOf('defenses/no-guard')).toEqual(['a passive defense must have a guard(victim, options, ctx) function that wraps every answer of the API']);
    expect(problemsOf('victims/bad-recipe')).toContain("recipe: missing required field 'data'");
    expect(problemsOf('victims/bad-recipe')).toContain('recipe.encoder.inputShape: must NOT have fewer than 3 items');
    expect(problemsOf('attacks/_shared')).toEqual([]);
  });

  it('wraps hooks so errors name the plugin and the hook, async and sync alike', async () => {
    const attack = findPlugin(registry, 'attack', 'good-attack');
    await expect(attack.plugin.steal({} as never, {})).rejects.toThrow("attack 'good-attack' failed in steal(): no victim here");
    const defense = findPlugin(registry, 'defense', 'good-defense').plugin;
    expect(() => defense.prepareVictim!({})).toThrow("defense 'good-defense' failed in prepareVictim(): sync failure");
    const guard = await defense.guard!({} as never, {}, { seed: 1, log: () => {} });
    const failure = await guard.answer({} as never).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PluginHookError);
    expect((failure as PluginHookError).hook).toBe('guard.answer');
    expect((failure as PluginHookError).cause).toBeInstanceOf(RangeError);
    expect(() => guard.report!()).toThrow("defense 'good-defense' failed in guard.report(): no report");
  });

  it('findPlugin lists the known ids and explains a folder that does not load', () => {
    expect(() => findPlugin(registry, 'attack', 'nope')).toThrow("unknown attack 'nope'; registered attacks: good-attack");
    expect(() => findPlugin(registry, 'attack', 'throws-on-load')).toThrow(/folder exists but does not load: index.ts failed to load: boom/);
  });
});

describe('wrapPluginCall', () => {
  it('keeps sync results sync and passes return values through', () => {
    const add = wrapPluginCall('attack', 'x', 'add', (a: number, b: number) => a + b);
    expect(add(2, 3)).toBe(5);
  });
  it('keeps the innermost attribution when wrapped twice', () => {
    const inner = wrapPluginCall('defense', 'inner', 'guard.answer', () => {
      throw new Error('deep');
    });
    const outer = wrapPluginCall('defense', 'outer', 'guard', () => inner());
    expect(() => outer()).toThrow("defense 'inner' failed in guard.answer(): deep");
  });
});

describe('hashPluginFolder', () => {
  it('changes with code, not with tests, README or experiments/', () => {
    const folder = join(root, 'attacks/good-attack');
    const before = hashPluginFolder(folder);
    writeFileSync(join(folder, 'README.md'), '# Good, now documented\n');
    writeFileSync(join(folder, 'good-attack.test.ts'), '// another test\n');
    mkdirSync(join(folder, 'experiments'), { recursive: true });
    writeFileSync(join(folder, 'experiments', 'measure.ts'), '// a measurement script\n');
    writeFileSync(join(folder, 'experiments', 'results.json'), '{"accuracy": 0.8}\n');
    expect(hashPluginFolder(folder)).toBe(before);
    // Only the top-level experiments/ folder is left out: code elsewhere with that name still counts.
    mkdirSync(join(folder, 'lib', 'experiments'), { recursive: true });
    writeFileSync(join(folder, 'lib', 'experiments', 'x.ts'), 'export const y = 1;\n');
    expect(hashPluginFolder(folder)).not.toBe(before);
    rmSync(join(folder, 'lib'), { recursive: true });
    expect(hashPluginFolder(folder)).toBe(before);
    writeFileSync(join(folder, 'helper.ts'), 'export const x = 2;\n');
    const after = hashPluginFolder(folder);
    expect(after).not.toBe(before);
    writeFileSync(join(folder, 'helper.ts'), 'export const x = 1;\n');
    expect(hashPluginFolder(folder)).toBe(before);
  });
  it('depends on file names, not just contents', () => {
    const a = join(root, 'hash-a');
    const b = join(root, 'hash-b');
    mkdirSync(a);
    mkdirSync(b);
    writeFileSync(join(a, 'one.ts'), 'x');
    writeFileSync(join(b, 'two.ts'), 'x');
    expect(hashPluginFolder(a)).not.toBe(hashPluginFolder(b));
  });
});

describe('plugin content hash and shared helpers', () => {
  it('changes when a file in the kind\'s _shared folder changes, not when a test or README does', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { hashPluginFolder } = await import('../benchmark/plugin/registry.ts');
    const root = mkdtempSync(join(tmpdir(), 'stealbench-hash-'));
    const plugin = join(root, 'attacks', 'a');
    mkdirSync(plugin, { recursive: true });
    mkdirSync(join(root, 'attacks', '_shared'));
    writeFileSync(join(plugin, 'index.ts'), 'export default 1;\n');
    writeFileSync(join(root, 'attacks', '_shared', 'fit.ts'), 'export const v = 1;\n');
    const before = hashPluginFolder(plugin);
    writeFileSync(join(root, 'attacks', '_shared', 'fit.test.ts'), 'test\n');
    writeFileSync(join(root, 'attacks', '_shared', 'README.md'), 'docs\n');
    expect(hashPluginFolder(plugin)).toBe(before);
    writeFileSync(join(root, 'attacks', '_shared', 'fit.ts'), 'export const v = 2;\n');
    expect(hashPluginFolder(plugin)).not.toBe(before);
  });
});
