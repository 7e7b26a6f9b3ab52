// Issue 13's coverage: every defense other than `none` is the target of at least one adaptive attack, every target
// names a defense folder, at least one adaptive attack spreads over several accounts (an `accounts` option), and the
// meta schema checks `targets` (kebab-case ids, at least one, no repeats).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkPluginShape } from '../benchmark/plugin/shape.ts';
import type { AttackPlugin } from '../benchmark/plugin/types.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const folders = (kind: string) =>
  readdirSync(join(root, kind)).filter(
    (name) => !name.startsWith('_') && !name.startsWith('.') && statSync(join(root, kind, name)).isDirectory(),
  );

async function attacks(): Promise<AttackPlugin<Record<string, unknown>>[]> {
  return Promise.all(folders('attacks').map(async (id) => (await import(`../attacks/${id}/index.ts`)).default));
}

describe('adaptive attacks cover the defenses', () => {
  it('every defense but none is targeted, and every target is a defense', async () => {
    const defenses = folders('defenses');
    const targeted = new Set((await attacks()).flatMap((a) => a.meta.targets ?? []));
    for (const target of targeted) expect(defenses).toContain(target);
    expect(defenses.filter((d) => d !== 'none' && !targeted.has(d))).toEqual([]);
  }, 120_000);

  it('at least one adaptive attack takes an accounts option that can exceed one', async () => {
    const sybil = (await attacks()).filter((a) => {
      const accounts = (
        a.meta.options as { properties?: Record<string, { anyOf?: { maximum?: number }[] }> } | undefined
      )?.properties?.accounts;
      return a.meta.targets && accounts?.anyOf?.some((s) => (s.maximum ?? 0) >= 2);
    });
    expect(sybil.map((a) => a.meta.id).length).toBeGreaterThan(0);
  }, 120_000);

  it('the meta schema checks targets', () => {
    const base = { id: 'x-attack', title: 'X', paper: 'none' };
    const steal = async () => {
      throw new Error('not run');
    };
    expect(checkPluginShape('attack', { meta: { ...base, targets: ['b4b'] }, steal })).toEqual([]);
    for (const targets of [[], ['B4B'], ['b4b', 'b4b'], 'b4b']) {
      const problems = checkPluginShape('attack', { meta: { ...base, targets }, steal });
      expect(problems.join('\n')).toMatch(/targets/);
    }
  });
});
