// The benchmark config: the shipped profiles are valid, a bad config is rejected with the JSON path and what was
// expected, plugin ids and options are checked against the registry, and the CLI exits 2 writing nothing.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { discoverPlugins } from '../benchmark/plugin/registry.ts';
import { fromPluginRegistry, type RunnerRegistry } from '../benchmark/runner/registry.ts';
import { ConfigError, loadConfigFile, loadProfile, PROFILE_NAMES, validateConfig } from '../benchmark/runner/config.ts';
import { expandGrid } from '../benchmark/runner/grid.ts';
import { registry } from './fixtures/registry.ts';
import { FIXTURE_REGISTRY, fixtureConfig, stealbench, tempDir } from './fixtures/runner-setup.ts';

function issuesOf(fn: () => unknown): { path: string; message: string; keyword?: string }[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

const base = {
  name: 'x',
  victims: ['victim-a'],
  defenses: [{ id: 'none' }],
  attacks: [{ id: 'steal' }],
  budgets: [10],
  pools: ['p/q'],
  seeds: [0],
  downstream: ['t'],
};

describe('config schema', () => {
  it.each(PROFILE_NAMES)('profile %s is valid and names a schema for editors', (name) => {
    const config = loadProfile(name);
    expect(config.name).toBe(name);
    expect(config.$schema).toBe('../../schemas/config.schema.json');
    expect(config.output).toBe(`runs/${name}`);
  });

  it('fills in the default limits and output folder', () => {
    const config = validateConfig(base, 'inline');
    expect(config.limits).toEqual({ cellTimeoutSeconds: 1800, memoryMB: 4096, concurrency: 'auto' });
    expect(config.output).toBe('runs/x');
  });

  it.each([
    [{ ...base, budgets: ['lots'] }, '/budgets/0', 'type', 'found "lots"'],
    [{ ...base, budgets: [0] }, '/budgets/0', 'minimum', 'found 0'],
    [{ ...base, seeds: [] }, '/seeds', 'minItems', 'found []'],
    [{ ...base, victims: undefined }, '/victims', 'required', ''],
    [
      { ...base, limits: { memoryMB: 1024, cpus: 4 } },
      '/limits/cpus',
      'additionalProperties',
      'allowed: cellTimeoutSeconds, memoryMB, concurrency',
    ],
    [{ ...base, limits: { concurrency: 0 } }, '/limits/concurrency', 'minimum', 'found 0'],
    [{ ...base, attacks: [{ id: 'steal', options: { loss: 'mse' } }] }, '/attacks/0/options', 'type', ''],
    [{ ...base, name: 'Has Spaces' }, '/name', 'pattern', 'found "Has Spaces"'],
  ])('rejects %j at the right path with the failed keyword', (raw, path, keyword, found) => {
    // Asserted on { path, keyword } (benchmark/util/validation.ts), not on ajv's English; the found value is ours.
    const issues = issuesOf(() => validateConfig(raw, 'bad.json'));
    const hit = issues.find((issue) => issue.path === path && issue.keyword === keyword);
    expect(hit, JSON.stringify(issues)).toBeDefined();
    expect(hit!.message).toContain(found);
  });

  it('names the file and the line of broken JSON', () => {
    const { dir, remove } = tempDir('config');
    try {
      const file = join(dir, 'broken.json');
      writeFileSync(file, '{\n  "name": "x",\n  "victims": [,]\n}\n');
      const error = (() => {
        try {
          loadConfigFile(file);
        } catch (e) {
          return e as ConfigError;
        }
      })();
      expect(error?.message).toContain(file);
      expect(error?.message).toMatch(/not valid JSON: .*line 3/);
    } finally {
      remove();
    }
  });
});

describe('config against the plugin registry', () => {
  it('reports an unknown id with the ids that exist', () => {
    const issues = issuesOf(() =>
      expandGrid(validateConfig({ ...base, attacks: [{ id: 'steal' }, { id: 'stael' }] }, 'c'), registry),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('/attacks/1/id');
    expect(issues[0]!.message).toBe(
      "unknown attack 'stael'; registered attacks: steal, label-steal, " +
        'fixture-throws, fixture-hangs, fixture-exits, fixture-oom',
    );
  });

  it('reports options the plugin schema rejects, at their path inside the config', () => {
    const config = validateConfig(
      { ...base, defenses: [{ id: 'none' }, { id: 'noise', options: [{ sigma: 0.2 }, { sigma: -1, colour: 'red' }] }] },
      'c',
    );
    const issues = issuesOf(() => expandGrid(config, registry));
    expect(issues.map((issue) => issue.path).sort()).toEqual([
      '/defenses/1/options/1/colour',
      '/defenses/1/options/1/sigma',
    ]);
    expect(issues.find((issue) => issue.path.endsWith('colour'))).toMatchObject({
      keyword: 'additionalProperties',
      message: expect.stringContaining('allowed: sigma, mean'),
    });
    expect(issues.find((issue) => issue.path.endsWith('sigma'))).toMatchObject({
      keyword: 'minimum',
      message: expect.stringContaining('found -1'),
    });
  });

  it('reports two option sets that are the same cell once defaults are applied', () => {
    const config = validateConfig(
      { ...base, defenses: [{ id: 'noise', options: [{}, { sigma: 0.1, mean: 0 }] }] },
      'c',
    );
    const issues = issuesOf(() => expandGrid(config, registry));
    expect(issues).toEqual([
      { path: '/defenses/0/options/1', message: expect.stringContaining('already listed at /defenses/0/options/0') },
    ]);
  });

  it('reports a plugin that takes no options but was given some', () => {
    const issues = issuesOf(() =>
      expandGrid(validateConfig({ ...base, attacks: [{ id: 'label-steal', options: [{ k: 1 }] }] }, 'c'), registry),
    );
    expect(issues[0]!.path).toBe('/attacks/0/options/0/k');
  });
});

describe('everything a cell reads is in its key', () => {
  const keyOf = (runner: RunnerRegistry, victim = 'victim-a') =>
    expandGrid(validateConfig({ ...base, victims: [victim] }, 'c'), runner)[0]!.key;

  it("the victim's ownership controls enter the key: which encoder, and its content", () => {
    const withControls = (controls: string[] | undefined, controlHash = 'c'.repeat(64)): RunnerRegistry => ({
      ...registry,
      victims: [
        { id: 'victim-a', hash: 'a'.repeat(64), ...(controls ? { ownershipControls: controls } : {}) },
        { id: 'victim-b', hash: controlHash },
        { id: 'victim-c', hash: 'd'.repeat(64) },
      ],
    });
    const none = keyOf(withControls(undefined));
    const b = keyOf(withControls(['victim-b']));
    expect(b).not.toBe(none);
    expect(keyOf(withControls(['victim-c']))).not.toBe(b);
    expect(keyOf(withControls(['victim-b'], 'e'.repeat(64)))).not.toBe(b);
    expect(keyOf(withControls(['victim-b']))).toBe(b);
    const planned = expandGrid(validateConfig(base, 'c'), withControls(['victim-b']))[0]!;
    expect(planned.pluginHashes['control:victim-b']).toBe('c'.repeat(64));
    expect(issuesOf(() => keyOf(withControls(['victim-z'])))[0]!.message).toMatch(
      /declares ownership control 'victim-z'.*unknown victim 'victim-z'/,
    );
  });

  it(
    'editing a file that a plugin imports from another folder re-keys that ' + "plugin's cells, and only those",
    async () => {
      const root = mkdtempSync(join(tmpdir(), 'stealbench-key-'));
      const put = (path: string, text: string) => {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), text);
      };
      const meta = (id: string, extra = '') => `meta: { id: '${id}', title: '${id}', paper: 'p'${extra} }`;
      try {
        put(
          'victims/victim-a/index.ts',
          `export default { ${meta('victim-a')}, recipe: { method: 'simclr', ` +
            `encoder: { arch: 'a', inputShape: [28, 28, 1] }, data: 'd/x', ` +
            `augmentation: 'a', epochs: 1, batchSize: 1, learningRate: 0.1, seed: 1 ` +
            `} };\n`,
        );
        put(
          'defenses/none/index.ts',
          `export default { ${meta('none', ", kind: 'passive'")}, guard: () => ({ ` +
            `answer: async (r: any) => ({ answer: r.clean }) }) };\n`,
        );
        put('defenses/b4b/lsh.ts', 'export const planes = 8;\n');
        put(
          'defenses/pow/index.ts',
          `import { planes } from '../b4b/lsh.ts';\nexport default { ${meta('pow', ", kind: 'passive'")}, ` +
            `guard: () => ({ answer: async (r: any) => ({ answer: r.clean, note: ` +
            `String(planes) }) }) };\n`,
        );
        put(
          'attacks/steal/index.ts',
          `export default { ${meta('steal')}, async steal() { return null as never; } };\n`,
        );
        const keys = async () => {
          const runner = fromPluginRegistry(await discoverPlugins(root));
          const config = validateConfig({ ...base, defenses: [{ id: 'none' }, { id: 'pow' }] }, 'c');
          return expandGrid(config, runner).map((cell) => cell.key);
        };
        const [none, pow] = await keys();
        put('defenses/b4b/lsh.ts', 'export const planes = 16;\n');
        const [noneAfter, powAfter] = await keys();
        expect(noneAfter).toBe(none);
        expect(powAfter).not.toBe(pow);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
    120_000,
  );
});

describe('stealbench run with a bad config', () => {
  it('exits 2 with the path in the message and writes nothing', async () => {
    const { dir, remove } = tempDir('badcli');
    try {
      writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...fixtureConfig(), budgets: [64, -5], output: 'out' }));
      const result = await stealbench(['run', '--config', 'bad.json', '--registry', FIXTURE_REGISTRY], { cwd: dir });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain('bad.json: invalid benchmark config');
      expect(result.stderr).toContain('/budgets/1: expected: must be >= 1, found -5');
      expect(readdirSync(dir)).toEqual(['bad.json']);

      writeFileSync(
        join(dir, 'unknown.json'),
        JSON.stringify({ ...fixtureConfig(), victims: ['victim-z'], output: 'out' }),
      );
      const unknown = await stealbench(['run', '--config', 'unknown.json', '--registry', FIXTURE_REGISTRY], {
        cwd: dir,
      });
      expect(unknown.exitCode).toBe(2);
      expect(unknown.stderr).toContain("/victims/0: unknown victim 'victim-z'; registered victims: victim-a, victim-b");
      expect(existsSync(join(dir, 'out'))).toBe(false);

      writeFileSync(join(dir, 'good.json'), JSON.stringify({ ...fixtureConfig(), output: 'out' }));
      const shard = await stealbench(
        ['run', '--config', 'good.json', '--registry', FIXTURE_REGISTRY, '--shard', '4/3'],
        { cwd: dir },
      );
      expect(shard.exitCode).toBe(2);
      expect(shard.stderr).toContain('--shard: expected 1 <= k <= n in k/n, found "4/3"');
      expect(existsSync(join(dir, 'out'))).toBe(false);
    } finally {
      remove();
    }
  });
});
