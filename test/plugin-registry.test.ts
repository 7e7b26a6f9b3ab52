// Plugin discovery on fixture trees written to a temp folder: plugins are read as data in a sandbox (their code never
// runs in this process), broken folders are reported (never skipped) with the reason, defense code loads only through
// importDefense with hooks that name the plugin, and the content hash covers exactly what the bundle reads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  discoverPlugins,
  findPlugin,
  hashPluginFolder,
  importDefense,
  type Registry,
} from '../benchmark/plugin/registry.ts';
import { PluginHookError, wrapPluginCall } from '../benchmark/plugin/wrap.ts';
import { detectIsolation } from '../benchmark/oracle/attack-sandbox.ts';

let root: string;
let registry: Registry;

function write(path: string, text: string, base = root): void {
  mkdirSync(join(base, path, '..'), { recursive: true });
  writeFileSync(join(base, path), text);
}

// Top-level code that would leave a trace in this process if discovery imported the plugin here.
const goodAttack = `(globalThis as any).__stealbenchDiscoveryRan = true;
export default {
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
  write(
    'attacks/bad-meta/index.ts',
    "export default { meta: { id: 'bad-meta', title: '', paper: 'x', needs: { output: 'logits' } } };\n",
  );
  write(
    'attacks/function-in-meta/index.ts',
    "export default { meta: { id: 'function-in-meta', title: 't', paper: " +
      "'p', description: (() => 'x') as unknown as string }, async steal() {} " +
      '};\n',
  );
  // What top-level code sees in the sandbox: no environment, no files, no harness process to signal; and what it may
  // try: forging the report.
  write(
    'attacks/env-probe/index.ts',
    `import { readFileSync } from 'node:fs';
const code = (act: () => void) => { try { act(); return 'done'; } catch (error) { return String((error as { code?: string }).code); } };
const read = code(() => readFileSync(${JSON.stringify(join(process.cwd(), 'package.json'))}));
const signal = code(() => process.kill(${process.pid}, 0));
const seen = JSON.stringify({ env: Object.keys(process.env), read, signal });
export default { meta: { id: 'env-probe', title: 't', paper: 'p', description: seen }, async steal() {} };\n`,
  );
  write(
    'attacks/forges-report/index.ts',
    "import { writeSync } from 'node:fs';\nwriteSync(3, " +
      '\'{"status":"ok"}\');\nexport default { meta: { id: \'forges-report\', ' +
      "title: 't', paper: 'p' }, async steal() {} };\n",
  );
  write('defenses/good-defense/index.ts', goodDefense);
  write(
    'defenses/no-guard/index.ts',
    "export default { meta: { id: 'no-guard', title: 'x', paper: 'y', kind: 'passive' } };\n",
  );
  write('victims/good-victim/index.ts', goodVictim);
  write(
    'victims/bad-recipe/index.ts',
    "export default { meta: { id: 'bad-recipe', title: 'x' }, recipe: { " +
      "method: 'moco', encoder: { arch: 'a', inputShape: [28, 28] } } };\n",
  );
  registry = await discoverPlugins(root);
}, 120_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

const problemsOf = (folder: string) => registry.problems.filter((p) => p.folder === folder).map((p) => p.message);

describe('discoverPlugins', () => {
  it('registers the well-formed plugins and only those', () => {
    expect(registry.attacks.map((a) => a.id)).toEqual(['env-probe', 'good-attack']);
    expect(registry.defenses.map((d) => d.id)).toEqual(['good-defense']);
    expect(registry.victims.map((v) => v.id)).toEqual(['good-victim']);
    expect(registry.attacks[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads plugins as data: no plugin code ran in this process, functions are listed by name', () => {
    expect((globalThis as { __stealbenchDiscoveryRan?: unknown }).__stealbenchDiscoveryRan).toBeUndefined();
    const attack = findPlugin(registry, 'attack', 'good-attack').plugin;
    expect(attack.hooks).toEqual(['steal']);
    expect(JSON.parse(JSON.stringify(attack))).toEqual(attack);
    expect(findPlugin(registry, 'defense', 'good-defense').plugin.hooks).toEqual(['guard', 'prepareVictim']);
    expect(findPlugin(registry, 'victim', 'good-victim').plugin.recipe.epochs).toBe(1);
  });

  it('top-level code runs with an empty environment and no file access, and cannot forge its report', () => {
    const description = findPlugin(registry, 'attack', 'env-probe').plugin.meta.description!;
    const probe = JSON.parse(description) as { env: string[]; read: string; signal: string };
    // PATH only (to find the sandbox's tools); none of this process's variables.
    expect(probe.env.filter((name) => name !== 'PATH')).toEqual([]);
    expect(probe.read).toBe('ERR_ACCESS_DENIED');
    // Where the machine allows strong isolation (its own uid, or PID namespaces), this process cannot be signalled.
    if (detectIsolation().strong) expect(['EPERM', 'ESRCH']).toContain(probe.signal);
    expect(problemsOf('attacks/forges-report')).toEqual([
      expect.stringMatching(/report on index\.ts is not one JSON document/),
    ]);
  });

  it('reports every broken folder with the reason, and skips _helper folders', () => {
    expect(problemsOf('attacks/wrong-id')).toEqual(["meta.id 'good-attack' must equal the folder name 'wrong-id'"]);
    expect(problemsOf('attacks/throws-on-load')).toEqual(['index.ts failed to load: boom at import']);
    expect(problemsOf('attacks/no-default')[0]).toMatch(/no default export: write `export default defineAttack/);
    expect(problemsOf('attacks/no-index')[0]).toMatch(/^no index.ts/);
    expect(problemsOf('attacks/bad-meta')).toEqual([
      'meta/title: must NOT have fewer than 1 characters, found ""',
      'meta/needs/output: must be one of "representation", "projection", "label", found "logits"',
      'an attack must have a steal(ctx, options) function',
    ]);
    expect(problemsOf('attacks/function-in-meta')[0]).toMatch(/^meta\.description: must be plain JSON data/);
    expect(problemsOf('defenses/no-guard')).toEqual([
      'a passive defense must have a guard(victim, options, ctx) function that wraps every answer of the API',
    ]);
    expect(problemsOf('victims/bad-recipe')).toContain('recipe/data: is required but missing');
    expect(problemsOf('victims/bad-recipe')).toContain(
      'recipe/encoder/inputShape: must NOT have fewer than 3 items, found [28,28]',
    );
    expect(problemsOf('attacks/_shared')).toEqual([]);
  });

  it('importDefense wraps hooks so errors name the plugin and the hook, async and sync alike', async () => {
    const defense = await importDefense(findPlugin(registry, 'defense', 'good-defense'));
    expect(() => defense.prepareVictim!({})).toThrow("defense 'good-defense' failed in prepareVictim(): sync failure");
    const guard = await defense.guard!({} as never, {}, { seed: 1, log: () => {} });
    const failure = await guard.answer({} as never).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PluginHookError);
    expect((failure as PluginHookError).hook).toBe('guard.answer');
    expect((failure as PluginHookError).cause).toBeInstanceOf(RangeError);
    expect(() => guard.report!()).toThrow("defense 'good-defense' failed in guard.report(): no report");
  });

  it('findPlugin lists the known ids and explains a folder that does not load', () => {
    expect(() => findPlugin(registry, 'attack', 'nope')).toThrow(
      "unknown attack 'nope'; registered attacks: env-probe, good-attack",
    );
    expect(() => findPlugin(registry, 'attack', 'throws-on-load')).toThrow(
      "attack 'throws-on-load' exists but does not load: index.ts failed to load: boom",
    );
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

describe('plugin content hash: every file the bundle reads, and nothing else', () => {
  let tree: string;
  let plugin: string;
  beforeAll(() => {
    tree = mkdtempSync(join(tmpdir(), 'stealbench-hash-'));
    plugin = join(tree, 'defenses', 'pow');
    write(
      'defenses/pow/index.ts',
      "import { lsh } from '../b4b/lsh.ts';\nimport { fit } from " +
        "'../_shared/fit.ts';\nimport { hidden } from " +
        "'./.cache/hidden.ts';\nexport default { lsh, fit, hidden };\n",
      tree,
    );
    write('defenses/b4b/lsh.ts', 'export const lsh = 1;\n', tree);
    write('defenses/b4b/unused.ts', 'export const unused = 1;\n', tree);
    write('defenses/_shared/fit.ts', 'export const fit = 1;\n', tree);
    write('defenses/_shared/other.ts', 'export const other = 1;\n', tree);
    write('defenses/pow/.cache/hidden.ts', 'export const hidden = 1;\n', tree);
  });
  afterAll(() => rmSync(tree, { recursive: true, force: true }));

  it(
    'is stable, and ignores README, tests, experiments and a config at the ' + 'folder root that nothing imports',
    async () => {
      const before = await hashPluginFolder(plugin, 'defense');
      expect(await hashPluginFolder(plugin, 'defense')).toBe(before);
      write('defenses/pow/README.md', '# documented\n', tree);
      write('defenses/pow/pow.test.ts', '// a test\n', tree);
      write('defenses/pow/experiment.json', '{ "epochs": 3 }\n', tree);
      write('defenses/pow/experiments/results.json', '{ "accuracy": 0.8 }\n', tree);
      write('defenses/b4b/unused.ts', 'export const unused = 2;\n', tree);
      write('defenses/_shared/other.ts', 'export const other = 2;\n', tree);
      expect(await hashPluginFolder(plugin, 'defense')).toBe(before);
    },
  );

  it.each([
    ['a file imported from another plugin folder', 'defenses/b4b/lsh.ts', 'export const lsh = 2;\n'],
    ['a file imported from _shared', 'defenses/_shared/fit.ts', 'export const fit = 2;\n'],
    ['code in a dot-folder that the plugin imports', 'defenses/pow/.cache/hidden.ts', 'export const hidden = 2;\n'],
  ])('re-keys the plugin when %s changes, and comes back when it is restored', async (_what, file, edited) => {
    const before = await hashPluginFolder(plugin, 'defense');
    const original = (await import('node:fs')).readFileSync(join(tree, file), 'utf8');
    write(file, edited, tree);
    expect(await hashPluginFolder(plugin, 'defense')).not.toBe(before);
    write(file, original, tree);
    expect(await hashPluginFolder(plugin, 'defense')).toBe(before);
  });
});
