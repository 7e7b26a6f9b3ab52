// Route: symlinks. A relative symlink committed in a plugin folder points at the victim's weights; the attack reads
// its own folder (which its process may read) and so, through the link, the victim. A link that leaves the plugin
// folder is refused: at discovery (no cell runs, the run names the link) and, for a link added after the run was
// planned, when the cell's worker reads the plugin (the cell fails at 'load', blamed on the attack).
import { describe, expect, it } from 'vitest';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  attackMeta,
  expectNothingLeftBehind,
  PUBLIC_ENTRY,
  runPlugins,
  stolenForFree,
  THROWS_AT_ONCE,
  VICTIM_WEIGHTS,
} from './hostile-cells.ts';

/** Loads the encoder behind `.stash/victim` (a link to the victim's weights folder) and returns it: 0 queries. */
const hostile = (id: string) => `import { defineAttack, loadModel } from ${PUBLIC_ENTRY};
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
const stash = join(dirname(fileURLToPath(import.meta.url)), '.stash', 'victim');
export default defineAttack({ ${attackMeta(id)}, async steal() {
  return (await loadModel(stash)).model;
} });
`;

/** A relative link, as a contributor would commit it: `attacks/<id>/.stash/victim →
 * ../…/victims/simclr-fmnist/weights`. */
function linkVictim(root: string, id: string): void {
  const stash = join(root, 'attacks', id, '.stash');
  mkdirSync(stash, { recursive: true });
  symlinkSync(relative(stash, VICTIM_WEIGHTS), join(stash, 'victim'), 'dir');
}

describe('hostile: a symlink out of the plugin folder', () => {
  it('refused before any cell runs, naming the link; nothing left behind', async () => {
    const run = await runPlugins({
      attacks: { 'link-victim': hostile('link-victim') },
      run: ['link-victim'],
      prepare: (root) => linkVictim(root, 'link-victim'),
    });
    expect(run.exitCode).toBe(2);
    expect(run.output).toContain("attack 'link-victim'");
    expect(run.output).toMatch(/symlink \.stash\/victim → \S+victims\/simclr-fmnist\/weights leaves the plugin folder/);
    expect(run.records).toEqual({});
    expectNothingLeftBehind(run);
  }, 300_000);

  it('a real cell: a link added after planning fails the cell at load, blamed on the attack', async () => {
    const run = await runPlugins({
      attacks: { 'first-throws': THROWS_AT_ONCE('first-throws'), 'late-link': hostile('late-link') },
      run: ['first-throws', 'late-link'],
      onFirstCell: (root) => linkVictim(root, 'late-link'),
    });
    expect(stolenForFree(run.records)).toEqual([]);
    expect(run.records['first-throws']?.error).toMatchObject({ phase: 'attack', plugin: 'first-throws' });
    const record = run.records['late-link'];
    expect(record, run.output).toBeDefined();
    expect(record!.state).toBe('failed');
    expect(record!.error).toMatchObject({ phase: 'load', plugin: 'late-link' });
    expect(record!.error!.message).toMatch(/symlink \.stash\/victim → .* leaves the plugin folder/);
    expectNothingLeftBehind(run);
  }, 600_000);
});
