// Plugin bundling resolves only code: data imports (import attributes, non-code files) and symlinks that leave the
// plugin folder are refused with the plugin and the import named, by discovery and by the attack bundler alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleAttack } from '../benchmark/oracle/attack-bundle.ts';
import { buildPlugin, PluginBundleError, symlinksLeaving } from '../benchmark/plugin/bundle.ts';
import { discoverPlugins, type Registry } from '../benchmark/plugin/registry.ts';

let root: string;
let outside: string;
let registry: Registry;

function write(path: string, text: string): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
}

const attack = (id: string, head: string, body = '0') =>
  `${head}\nexport default { meta: { id: '${id}', title: 't', paper: 'p' }, async steal() { return ${body}; } };\n`;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'stealbench-bundle-'));
  outside = join(root, 'secret');
  mkdirSync(outside);
  writeFileSync(join(outside, 'weights.bin'), 'the victim weights');
  writeFileSync(join(outside, 'weights.json'), '{ "w": [1, 2, 3] }');
  writeFileSync(join(outside, 'code.ts'), 'export const stolen = 1;\n');
  const bin = JSON.stringify(join(outside, 'weights.bin'));
  const json = JSON.stringify(join(outside, 'weights.json'));
  write('attacks/bytes-import/index.ts', attack('bytes-import', `import w from ${bin} with { type: 'bytes' };`, 'w'));
  write('attacks/text-import/index.ts', attack('text-import', `import w from ${bin} with { type: 'text' };`, 'w'));
  write(
    'attacks/json-attr-import/index.ts',
    attack('json-attr-import', `import w from ${json} with { type: 'json' };`, 'w'),
  );
  write('attacks/json-import/index.ts', attack('json-import', `import w from ${json};`, 'w'));
  write(
    'attacks/dynamic-data-import/index.ts',
    attack('dynamic-data-import', '', `(await import(${bin}, { with: { type: 'bytes' } })).default`),
  );
  write('attacks/link-out/index.ts', attack('link-out', "import { stolen } from './lib.ts';", 'stolen'));
  symlinkSync('../../secret/code.ts', join(root, 'attacks/link-out/lib.ts'));
  write('attacks/hidden-link/index.ts', attack('hidden-link', ''));
  mkdirSync(join(root, 'attacks/hidden-link/.stash'));
  symlinkSync(outside, join(root, 'attacks/hidden-link/.stash/victim'), 'dir');
  write('attacks/link-inside/index.ts', attack('link-inside', "import { x } from './alias.ts';", 'x'));
  write('attacks/link-inside/real.ts', 'export const x = 1;\n');
  symlinkSync('./real.ts', join(root, 'attacks/link-inside/alias.ts'));
  registry = await discoverPlugins(root);
}, 120_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

const problemsOf = (id: string) =>
  registry.problems
    .filter((p) => p.folder === `attacks/${id}`)
    .map((p) => p.message)
    .join('\n');

describe('bundling resolves only code', () => {
  it.each([
    ['bytes-import', /import '.*weights\.bin' with \{ type: 'bytes' \}.* is refused/],
    ['text-import', /with \{ type: 'text' \}.* is refused/],
    ['json-attr-import', /import '.*weights\.json' with \{ type: 'json' \}.* is refused/],
    ['json-import', /import of .*weights\.json is refused: a plugin imports only code .*\(\.json\)/],
    ['dynamic-data-import', /weights\.bin' with \{ type: 'bytes' \}.* is refused/],
  ])('discovery refuses %s, naming the plugin and the import', (id, pattern) => {
    expect(registry.attacks.map((a) => a.id)).not.toContain(id);
    expect(problemsOf(id)).toMatch(pattern);
    expect(problemsOf(id)).toContain(`attack '${id}'`);
  });

  it(
    'the attack bundler refuses a data import with the same words (the cell ' + 'path, should discovery be bypassed)',
    async () => {
      const error = await bundleAttack(join(root, 'attacks/bytes-import/index.ts'), join(root, 'out.mjs')).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PluginBundleError);
      expect((error as PluginBundleError).plugin).toBe("attack 'bytes-import'");
      expect((error as Error).message).toMatch(/weights\.bin' with \{ type: 'bytes' \}.* is refused/);
    },
  );
});

describe('symlinks that leave the plugin folder', () => {
  it('are refused at discovery, also inside a dot-folder, with the link and its target named', () => {
    expect(registry.attacks.map((a) => a.id)).not.toContain('link-out');
    expect(problemsOf('link-out')).toMatch(/symlink lib\.ts → \.\.\/\.\.\/secret\/code\.ts leaves the plugin folder/);
    expect(problemsOf('hidden-link')).toMatch(/symlink \.stash\/victim → .* leaves the plugin folder/);
  });

  it('are refused by the bundler and the attack bundler', async () => {
    await expect(buildPlugin(join(root, 'attacks/link-out'), 'attack')).rejects.toThrow(/leaves the plugin folder/);
    await expect(bundleAttack(join(root, 'attacks/link-out/index.ts'), join(root, 'out.mjs'))).rejects.toThrow(
      /leaves the plugin folder/,
    );
  });

  it('a link that stays inside the folder is fine', () => {
    expect(symlinksLeaving(join(root, 'attacks/link-inside'))).toEqual([]);
    expect(registry.attacks.map((a) => a.id)).toContain('link-inside');
  });
});
