// Route: reading through the bundler. The bundler runs outside the sandbox, so an attack that imports the victim's
// weights as data (`with { type: 'bytes' }`, or any non-code file) would get them inlined into its bundle. Bundling
// resolves only code: such a plugin is refused before any cell runs (the run names the plugin and the import), and a
// plugin that turns into one after the run was planned fails its own cell at 'load', blamed on it.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  attackMeta,
  expectNothingLeftBehind,
  PUBLIC_ENTRY,
  runPlugins,
  stolenForFree,
  THROWS_AT_ONCE,
  VICTIM_WEIGHTS,
} from './hostile-cells.ts';

const WEIGHTS = JSON.stringify(join(VICTIM_WEIGHTS, 'weights.bin'));

/** Builds an encoder of the victim's architecture from the victim's own weights, inlined by the bundler: 0 queries. */
const hostile = (id: string, importLine: string) => `import { defineAttack, createEncoder } from ${PUBLIC_ENTRY};
import * as tf from '@tensorflow/tfjs-core';
${importLine}
export default defineAttack({ ${attackMeta(id)}, async steal(ctx) {
  const encoder = createEncoder({ arch: 'small-cnn', inputShape: [28, 28, 1] }, ctx.seed);
  const floats = new Float32Array((weights as Uint8Array).slice().buffer);
  let offset = 0;
  encoder.setWeights(encoder.getWeights().map((w) => {
    const t = tf.tensor(floats.subarray(offset, offset + w.size), w.shape);
    offset += w.size;
    return t;
  }));
  return encoder;
} });
`;

const honestLooking = (id: string) =>
  `import { defineAttack } from ${PUBLIC_ENTRY};\nexport default ` +
  `defineAttack({ ${attackMeta(id)}, async steal() { throw new Error('should ` +
  `have been refused'); } });\n`;

describe('hostile: a data import of the victim weights', () => {
  it.each([
    [
      'bytes-weights',
      `import weights from ${WEIGHTS} with { type: 'bytes' };`,
      /import '.*weights\.bin' with \{ type: 'bytes' \}/,
    ],
    [
      'plain-weights',
      `import weights from ${WEIGHTS};`,
      /import of victims\/simclr-fmnist\/weights\/weights\.bin is refused/,
    ],
  ])(
    '%s: refused before any cell runs, naming the plugin and the import; nothing left behind',
    async (id, line, pattern) => {
      const run = await runPlugins({ attacks: { [id]: hostile(id, line) }, run: [id] });
      expect(run.exitCode).toBe(2);
      expect(run.output).toContain(`attack '${id}'`);
      expect(run.output).toMatch(pattern);
      expect(run.output).toMatch(/a plugin imports only code/);
      expect(run.records).toEqual({});
      expectNothingLeftBehind(run);
    },
    300_000,
  );

  it('a real cell: a plugin that turns into a data import after planning fails at load, blamed on it', async () => {
    const run = await runPlugins({
      attacks: { 'first-throws': THROWS_AT_ONCE('first-throws'), 'late-bytes': honestLooking('late-bytes') },
      run: ['first-throws', 'late-bytes'],
      onFirstCell: (root) => {
        writeFileSync(
          join(root, 'attacks', 'late-bytes', 'index.ts'),
          hostile('late-bytes', `import weights from ${WEIGHTS} with { type: 'bytes' };`),
        );
      },
    });
    expect(stolenForFree(run.records)).toEqual([]);
    expect(run.records['first-throws']?.error).toMatchObject({ phase: 'attack', plugin: 'first-throws' });
    const record = run.records['late-bytes'];
    expect(record, run.output).toBeDefined();
    expect(record!.state).toBe('failed');
    expect(record!.error).toMatchObject({ phase: 'load', plugin: 'late-bytes' });
    expect(record!.error!.message).toMatch(/weights\.bin' with \{ type: 'bytes' \}.* is refused/);
    expectNothingLeftBehind(run);
  }, 600_000);
});
