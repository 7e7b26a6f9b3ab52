// A plugin folder removed while discovery reads it (a contributor's editor, a test that moves a plugin in and out of
// the checkout while a run starts, CI of 2026-12-04) is a problem of that folder: discovery of the others goes on and
// nothing throws. The folder is removed for real, at the two moments where reading it touches the disk: while its
// files are walked (before the sandbox read) and while its content is hashed (after it).
import { afterAll, describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

const vanishing = new Set<string>();
vi.mock('../benchmark/plugin/bundle.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../benchmark/plugin/bundle.ts')>();
  const removeIfVanishing = (folder: string) => {
    if (vanishing.has(basename(folder))) rmSync(folder, { recursive: true, force: true });
  };
  return {
    ...original,
    symlinksLeaving: (folder: string) => {
      if (basename(folder) === 'gone-before-read') removeIfVanishing(folder);
      return original.symlinksLeaving(folder);
    },
    contentHash: (root: string, inputs: readonly string[], data: readonly string[] = []) => {
      const folder = join(root, 'attacks', 'gone-before-hash');
      if (inputs.some((path) => path.startsWith(folder))) removeIfVanishing(folder);
      return original.contentHash(root, inputs, data);
    },
  };
});

const { discoverPlugins } = await import('../benchmark/plugin/registry.ts');

const attack = (id: string) =>
  `export default { meta: { id: '${id}', title: '${id}', paper: 'Nobody, 2024' }, async steal() {} };\n`;

describe('a plugin folder removed while discovery reads it', () => {
  const root = mkdtempSync(join(tmpdir(), 'stealbench-vanishing-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('is reported as a problem of that folder; the other plugins are found', async () => {
    for (const id of ['stays', 'gone-before-read', 'gone-before-hash']) {
      mkdirSync(join(root, 'attacks', id), { recursive: true });
      writeFileSync(join(root, 'attacks', id, 'index.ts'), attack(id));
      writeFileSync(join(root, 'attacks', id, 'helper.ts'), 'export const x = 1;\n');
    }
    vanishing.add('gone-before-read').add('gone-before-hash');
    const registry = await discoverPlugins(root);
    expect(registry.attacks.map((entry) => entry.id)).toEqual(['stays']);
    const problems = Object.fromEntries(registry.problems.map((problem) => [problem.folder, problem.message]));
    for (const id of ['gone-before-read', 'gone-before-hash']) {
      expect(problems[`attacks/${id}`]).toMatch(/could not be read \(.*ENOENT.*\); was the folder changed or removed/);
    }
  }, 120_000);
});
