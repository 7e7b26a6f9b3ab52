// `stealbench list` and `stealbench verify-plugin`, run in-process through the CLI entry on fixture trees: what they
// print, and verify-plugin's exit code (1 on any failed check, 0 when all pass).
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../benchmark/cli/main.ts';

const root = mkdtempSync(join(tmpdir(), 'stealbench-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

function put(path: string, text: string): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
}

/** Run the CLI, capturing stdout. */
async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const code = await main(argv);
  vi.restoreAllMocks();
  return { code, out };
}

// An attack that asks for one image more than its budget in a single batch (no tfjs needed to fail).
put(
  'attacks/greedy/index.ts',
  `export default {
  meta: { id: 'greedy', title: 'Greedy', paper: 'Fixture', needs: { labels: true }, options: { type: 'object', properties: { extra: { type: 'integer', minimum: 0, default: 1 } } } },
  async steal(ctx, options) {
    const count = ctx.budget + options.extra;
    await ctx.oracle.query({ data: new Float32Array(count * 784), count, height: 28, width: 28, channels: 1 });
  },
};\n`,
);
put('attacks/greedy/greedy.test.ts', '// fixture\n');
put(
  'defenses/identity/index.ts',
  `export default {
  meta: { id: 'identity', title: 'Identity', paper: 'Fixture', kind: 'active' },
  guard() { return { async answer(request) { return { answer: { ...request.clean, data: request.clean.data.slice() } }; } }; },
};\n`,
);
put('defenses/identity/README.md', '# Identity\n');
put('defenses/identity/identity.test.ts', '// fixture\n');
put(
  'victims/tiny/index.ts',
  `export default { meta: { id: 'tiny', title: 'Tiny victim' }, recipe: { method: 'simsiam', encoder: { arch: 'conv3', inputShape: [28, 28, 1] },
  data: 'synthetic/attacker-pool', augmentation: 'light', epochs: 1, batchSize: 8, learningRate: 0.1, seed: 1 } };\n`,
);
put('defenses/broken/index.ts', "export default { meta: { id: 'broken' } };\n");

describe('stealbench list', () => {
  it('prints plugins with options and defaults, and the problems', async () => {
    const { code, out } = await cli('list', '--root', root);
    expect(code).toBe(0);
    expect(out).toMatch(
      /^Attacks \(1\)\n {2}greedy {2}Greedy {2}needs representation \+ pool labels\n {6}options: extra: integer = 1\n/,
    );
    expect(out).toContain('  identity  Identity  active (guard)\n      options: none\n');
    expect(out).toContain('  tiny  Tiny victim  simsiam conv3 on synthetic/attacker-pool\n');
    expect(out).toContain(
      'Problems: 1 folder not registered\n  defenses/broken\n    - ' +
        'meta/title: is required but missing\n    - meta/paper: is required but ' +
        'missing\n    - meta/kind: is required but missing\n',
    );
  });

  it('--json gives the same facts as data', async () => {
    const { code, out } = await cli('list', '--json', '--root', root);
    expect(code).toBe(0);
    const listing = JSON.parse(out);
    expect(listing.attacks).toEqual([
      expect.objectContaining({
        id: 'greedy',
        needs: { output: 'representation', labels: true },
        defaults: { extra: 1 },
        options: [{ name: 'extra', type: 'integer', default: 1, required: false }],
      }),
    ]);
    expect(listing.defenses[0]).toMatchObject({
      id: 'identity',
      defenseKind: 'active',
      hooks: ['guard'],
      defaults: {},
    });
    expect(listing.victims[0].recipe.method).toBe('simsiam');
    expect(listing.problems.map((p: { folder: string }) => p.folder)).toEqual([
      'defenses/broken',
      'defenses/broken',
      'defenses/broken',
    ]);
    expect(listing.splits === null ? typeof listing.splitsNote : Array.isArray(listing.splits)).toBe(
      listing.splits === null ? 'string' : true,
    );
  });
});

describe('stealbench verify-plugin', () => {
  it('exits 1 and says what failed for an overspending attack without a README', async () => {
    const { code, out } = await cli('verify-plugin', join(root, 'attacks/greedy'));
    expect(code).toBe(1);
    expect(out).toContain('  ✗ folder has index.ts, README.md and a test');
    expect(out).toContain('- missing README.md');
    expect(out).toMatch(
      /✗ default options: steals within a budget of 64 .*\n {6}attack 'greedy' queried 65 images with a budget of 64: the oracle refused 1 batch\(es\) and steal\(\) ended on the refusal/,
    );
    expect(out).toContain("attack 'greedy': 4 of 7 checks failed");
  });

  it('passes the options and budget it is given', async () => {
    const { out } = await cli(
      'verify-plugin',
      join(root, 'attacks/greedy'),
      '--options',
      '{"extra":0}',
      '--budget',
      '8',
    );
    expect(out).toContain('given options: steals within a budget of 8');
    expect(out).toMatch(/steal\(\) must resolve to a tfjs-layers model .*found undefined/);
  });

  it('exits 0 when every check passes', async () => {
    const { code, out } = await cli('verify-plugin', join(root, 'defenses/identity'));
    expect(out).toContain("defense 'identity': all 7 checks passed");
    expect(code).toBe(0);
  });

  it('refuses bad --options with a usable message', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await main(['verify-plugin', join(root, 'defenses/identity'), '--options', '[1]']);
    expect(code).toBe(1);
    expect(String(stderr.mock.calls[0]?.[0])).toContain('--options must be a JSON object, found [1]');
  });
});
