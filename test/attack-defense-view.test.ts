// An adaptive attack learns the defense's id and public options, never its secrets (issue 13.1): options whose schema
// says `secret: true` are dropped at any depth (property test over random schemas), the watermark's key never reaches
// an attack — not through the view, not across the attack process boundary — and an oblivious attack gets no view.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { runAttackProcess } from '../benchmark/oracle/attack-process.ts';
import { createOracle } from '../benchmark/oracle/oracle.ts';
import { resolveOptions } from '../benchmark/plugin/options.ts';
import { defenseViewFor, publicDefense, publicOptions, secretOptionPaths } from '../benchmark/plugin/public-options.ts';
import type { ImageSet } from '../benchmark/plugin/types.ts';
import watermark from '../defenses/watermark/index.ts';
import { tinyBatch, tinyVictim } from './fixtures/oracle-tiny-victim.ts';

const work = mkdtempSync(join(tmpdir(), 'defense-view-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A random options schema (object properties nested up to depth 2, some marked secret) and matching options. */
const schemaAndOptions = fc.letrec<{ node: { schema: Record<string, unknown>; options: Record<string, unknown> } }>(
  (tie) => ({
    node: fc
      .dictionary(
        fc.constantFrom('a', 'b', 'key', 'seed', 'sigma', 'nested'),
        fc.record({
          secret: fc.boolean(),
          leaf: fc.oneof(fc.integer(), fc.string(), fc.boolean()),
          child: fc.option(tie('node'), { nil: undefined, depthSize: 'small' }),
        }),
        { maxKeys: 5 },
      )
      .map((entries) => {
        const properties: Record<string, unknown> = {};
        const options: Record<string, unknown> = {};
        for (const [key, { secret, leaf, child }] of Object.entries(entries)) {
          properties[key] = { ...(child ? child.schema : { type: typeof leaf }), ...(secret ? { secret: true } : {}) };
          options[key] = child ? child.options : leaf;
        }
        return { schema: { type: 'object', properties }, options };
      }),
  }),
).node;

/** Every JSON pointer of a leaf value in an options object. */
function leafPaths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([key, child]) => leafPaths(child, `${prefix}/${key}`));
}

describe('public defense options', () => {
  it('drop exactly the secret options, at any depth, and copy the rest', () => {
    fc.assert(
      fc.property(schemaAndOptions, ({ schema, options }) => {
        const secrets = secretOptionPaths(schema);
        const view = publicOptions(schema, options);
        const kept = leafPaths(view);
        // No kept value lies under a secret path; every value not under one is kept with its value.
        for (const path of kept) expect(secrets.some((s) => path === s || path.startsWith(`${s}/`))).toBe(false);
        for (const path of leafPaths(options)) {
          const underSecret = secrets.some((s) => path === s || path.startsWith(`${s}/`));
          if (!underSecret && path !== '') expect(kept).toContain(path);
        }
        // A copy: writing to the view leaves the defense's options alone.
        if (Object.keys(view).length) {
          const before = JSON.stringify(options);
          (view as Record<string, unknown>)[Object.keys(view)[0]!] = 'changed';
          expect(JSON.stringify(options)).toBe(before);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the watermark key is secret: the view has the mechanism settings and not the key', () => {
    expect(secretOptionPaths(watermark.meta.options)).toEqual(['/key']);
    const options = resolveOptions('defense', watermark, { key: 987654321, lambda: 0.5 }) as Record<string, unknown>;
    const view = publicDefense(watermark, options);
    expect(view.id).toBe('watermark');
    expect(view.options).not.toHaveProperty('key');
    expect(view.options).toMatchObject({ lambda: 0.5, source: 'private', alpha: 0.05 });
    expect(Object.keys(view.options).sort()).toEqual(
      Object.keys(options)
        .filter((k) => k !== 'key')
        .sort(),
    );
    expect(JSON.stringify(view)).not.toContain('987654321');
  });

  it('an oblivious attack gets no view; an adaptive one gets it for any defense, none included', () => {
    const options = resolveOptions('defense', watermark, {}) as Record<string, unknown>;
    expect(defenseViewFor({ meta: {} }, watermark, options)).toBeUndefined();
    expect(defenseViewFor({ meta: { targets: ['b4b'] } }, watermark, options)?.options).not.toHaveProperty('key');
    expect(defenseViewFor({ meta: { targets: ['b4b'] } }, { meta: { id: 'none' } }, {})).toEqual({
      id: 'none',
      options: {},
    });
  });

  it('crosses the attack process boundary as ctx.defense, without the secret', async () => {
    const oracle = createOracle({ deployment: tinyVictim() });
    oracle.openAccount('attacker', 4, 'attacker');
    const pool: ImageSet = { ...tinyBatch(4, 3), name: 'test/pool', labels: null };
    const options = resolveOptions('defense', watermark, { key: 1357911 }) as Record<string, unknown>;
    const logs: string[] = [];
    const result = await runAttackProcess({
      modulePath: fileURLToPath(new URL('./fixtures/attacks/defense-echo/index.ts', import.meta.url)),
      options: {},
      seed: 1,
      oracle,
      account: 'attacker',
      pool,
      deadline: Date.now() + 60_000,
      outputDir: join(work, 'out'),
      defense: defenseViewFor({ meta: { targets: ['watermark'] } }, watermark, options)!,
      onLog: (m) => logs.push(m),
    });
    expect(result.error).toBeUndefined();
    const line = logs.find((m) => m.startsWith('defense: '));
    expect(line).toBeDefined();
    const seen = JSON.parse(line!.slice('defense: '.length)) as { id: string; options: Record<string, unknown> };
    expect(seen.id).toBe('watermark');
    expect(seen.options.lambda).toBe(1);
    expect(seen.options).not.toHaveProperty('key');
    expect(logs.join('\n')).not.toContain('1357911');
  }, 120_000);
});
