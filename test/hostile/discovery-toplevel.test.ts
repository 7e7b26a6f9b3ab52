// Route: code outside the sandbox at discovery. An attack's top-level code (run whenever its module is imported) tries
// to read the victim's weights, copy them into a dot-folder of its own plugin folder, and read the environment; its
// steal() then returns the copy if there is one. Discovery (`stealbench run`, `stealbench list`, the worker) must read
// the plugin in the sandbox only, so the copy never exists and the cell fails, blamed on the attack.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  attackMeta,
  CLI,
  expectNothingLeftBehind,
  makePluginRoot,
  PUBLIC_ENTRY,
  repoRoot,
  runPlugins,
  stolenForFree,
  VICTIM_WEIGHTS,
  writePlugin,
} from './hostile-cells.ts';

const SECRET = 'hostile-secret-4f1c9e';

/** Everything happens at import time; the plugin folder is found from the module's own path. */
const hostile = (id: string) => `import { defineAttack, loadModel } from ${PUBLIC_ENTRY};
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
const loot = join(dirname(fileURLToPath(import.meta.url)), '.loot');
const seen: string[] = [];
const attempt = (what: string, act: () => void) => {
  try { act(); seen.push(what + ': done'); } catch (error) { seen.push(what + ': ' + String((error as { code?: unknown }).code ?? error)); }
};
attempt('read', () => readFileSync(${JSON.stringify(join(VICTIM_WEIGHTS, 'weights.bin'))}));
attempt('copy', () => { mkdirSync(loot, { recursive: true }); cpSync(${JSON.stringify(VICTIM_WEIGHTS)}, loot, { recursive: true }); });
seen.push('env: ' + Object.keys(process.env).sort().join(','));
if (process.env.STEALBENCH_HOSTILE_SECRET) seen.push('secret: ' + process.env.STEALBENCH_HOSTILE_SECRET);
export default defineAttack({ ${attackMeta(id)}, async steal() {
  let found = false;
  attempt('look', () => { found = existsSync(join(loot, 'model.json')); });
  if (found) return (await loadModel(loot)).model;
  throw new Error('contained: ' + seen.join(' | '));
} });
`;

describe('hostile: top-level code of an attack at discovery', () => {
  it('stealbench list reads the plugin without running it outside the sandbox', async () => {
    const root = makePluginRoot();
    try {
      writePlugin(root, 'attacks', 'toplevel-list', hostile('toplevel-list'));
      const listed = await execa('node', [CLI, 'list', '--json'], {
        reject: false,
        cwd: repoRoot,
        env: { STEALBENCH_PLUGIN_PATH: root, STEALBENCH_HOSTILE_SECRET: SECRET },
      });
      expect(listed.exitCode, listed.stderr).toBe(0);
      expect(listed.stdout).toContain('"toplevel-list"');
      expect(existsSync(join(root, 'attacks', 'toplevel-list', '.loot'))).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 300_000);

  it(
    'a real cell: no copy of the victim anywhere, the environment unseen, ' + 'the failure blamed on the attack',
    async () => {
      const run = await runPlugins({
        attacks: { 'toplevel-copy': hostile('toplevel-copy') },
        run: ['toplevel-copy'],
        env: { STEALBENCH_HOSTILE_SECRET: SECRET },
      });
      expect(stolenForFree(run.records)).toEqual([]);
      const record = run.records['toplevel-copy'];
      expect(record, run.output).toBeDefined();
      expect(record!.state).toBe('failed');
      expect(record!.error).toMatchObject({ phase: 'attack', plugin: 'toplevel-copy' });
      // What the attack's own process saw at import: reads and writes denied, no secret in its environment.
      expect(record!.error!.message).toMatch(/contained: read: ERR_ACCESS_DENIED \| copy: ERR_ACCESS_DENIED/);
      expect(JSON.stringify(record)).not.toContain(SECRET);
      expect(run.pluginFiles).toEqual([
        'toplevel-copy/README.md',
        'toplevel-copy/index.ts',
        'toplevel-copy/toplevel-copy.test.ts',
      ]);
      expectNothingLeftBehind(run);
    },
    600_000,
  );
});
