// Grid expansion and cell keys: stable order, defaults applied before keys, canonical JSON independent of key
// order, and a key that changes whenever anything that defines the cell changes (fast-check properties).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalJson } from '../benchmark/runner/canonical.ts';
import { cellKey, expandGrid } from '../benchmark/runner/grid.ts';
import type { CellSpec } from '../benchmark/runner/record.ts';
import { registry } from './fixtures/registry.ts';
import { fixtureConfig } from './fixtures/runner-setup.ts';
import { validateConfig } from '../benchmark/runner/config.ts';

/** The same JSON value with every object's keys in a shuffled order. */
function shuffleKeys(value: unknown, rng: () => number): unknown {
  if (Array.isArray(value)) return value.map((item) => shuffleKeys(item, rng));
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => [k, shuffleKeys(v, rng)] as const);
    for (let i = entries.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [entries[i], entries[j]] = [entries[j]!, entries[i]!];
    }
    return Object.fromEntries(entries);
  }
  return value;
}

// JSON has no -0 (it serialises as 0), so a value holding -0 anywhere cannot parse back to itself.
const hasNegativeZero = (value: unknown): boolean =>
  Object.is(value, -0) ||
  (value !== null && typeof value === 'object' && Object.values(value as object).some(hasNegativeZero));
const json = fc.jsonValue({ maxDepth: 3 }).filter((value) => !hasNegativeZero(value));
const options = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 6 }),
  fc.oneof(
    fc.integer(),
    fc.boolean(),
    fc.string({ maxLength: 5 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
  ),
  { maxKeys: 4 },
);
const cellArbitrary: fc.Arbitrary<CellSpec> = fc.record({
  victim: fc.constantFrom('simclr-fmnist', 'simsiam-fmnist'),
  defense: fc.record({ id: fc.constantFrom('none', 'gaussian-noise'), options }),
  attack: fc.record({ id: fc.constantFrom('direct-extraction', 'label-stealing'), options }),
  budget: fc.integer({ min: 1, max: 100_000 }),
  pool: fc.constantFrom('fmnist/attacker-pool-20k', 'digits/attacker-pool'),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  downstream: fc.uniqueArray(fc.constantFrom('fmnist', 'digits', 'cifar10'), { minLength: 1 }),
  output: fc.constantFrom('representation', 'projection', 'label'),
});
const hashes = { 'victim:v': 'a'.repeat(64), 'defense:d': 'b'.repeat(64), 'attack:a': 'c'.repeat(64) };

describe('canonical JSON', () => {
  it('does not depend on the order of object keys', () => {
    fc.assert(
      fc.property(json, fc.integer(), (value, seed) => {
        let state = seed >>> 0;
        const rng = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
        expect(canonicalJson(shuffleKeys(value, rng))).toBe(canonicalJson(value));
      }),
    );
  });

  it('parses back to the same value', () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(JSON.parse(canonicalJson(value))).toEqual(value);
      }),
    );
  });

  it('sorts keys and drops whitespace (worked example)', () => {
    expect(canonicalJson({ b: [1, { d: 2, c: 'x' }], a: null })).toBe('{"a":null,"b":[1,{"c":"x","d":2}]}');
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/NaN/);
  });
});

describe('cell keys', () => {
  it('are the same for the same cell written with its keys in any order', () => {
    fc.assert(
      fc.property(cellArbitrary, fc.integer(), (cell, seed) => {
        let state = seed >>> 0;
        const rng = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
        const shuffled = shuffleKeys(cell, rng) as CellSpec;
        expect(cellKey(shuffled, shuffleKeys(hashes, rng) as typeof hashes, '1.0.0')).toBe(
          cellKey(cell, hashes, '1.0.0'),
        );
      }),
    );
  });

  it('change when any field of the cell, any plugin hash or the harness version changes', () => {
    const mutations: ((cell: CellSpec) => CellSpec)[] = [
      (c) => ({ ...c, victim: `${c.victim}-x` }),
      (c) => ({ ...c, defense: { ...c.defense, id: `${c.defense.id}-x` } }),
      (c) => ({ ...c, defense: { ...c.defense, options: { ...c.defense.options, extra: 1 } } }),
      (c) => ({ ...c, attack: { ...c.attack, id: `${c.attack.id}-x` } }),
      (c) => ({ ...c, attack: { ...c.attack, options: { ...c.attack.options, extra: true } } }),
      (c) => ({ ...c, budget: c.budget + 1 }),
      (c) => ({ ...c, pool: `${c.pool}-x` }),
      (c) => ({ ...c, seed: c.seed + 1 }),
      (c) => ({ ...c, downstream: [...c.downstream, 'svhn'] }),
      (c) => ({ ...c, downstream: c.downstream.length > 1 ? c.downstream.slice().reverse() : ['other'] }),
      (c) => ({ ...c, output: c.output === 'label' ? 'projection' : 'label' }),
    ];
    fc.assert(
      fc.property(cellArbitrary, fc.integer({ min: 0, max: mutations.length - 1 }), (cell, which) => {
        const key = cellKey(cell, hashes, '1.0.0');
        expect(cellKey(mutations[which]!(cell), hashes, '1.0.0')).not.toBe(key);
      }),
    );
    fc.assert(
      fc.property(cellArbitrary, (cell) => {
        const key = cellKey(cell, hashes, '1.0.0');
        expect(cellKey(cell, { ...hashes, 'attack:a': 'd'.repeat(64) }, '1.0.0')).not.toBe(key);
        expect(cellKey(cell, hashes, '1.0.1')).not.toBe(key);
        expect(key).toMatch(/^[0-9a-f]{64}$/);
      }),
    );
  });
});

describe('expandGrid', () => {
  it('expands every combination in the order the config lists them, with defaults applied', () => {
    const config = fixtureConfig({
      victims: ['victim-b', 'victim-a'],
      defenses: [{ id: 'noise', options: [{ sigma: 0.5 }, {}] }],
      attacks: [{ id: 'label-steal' }, { id: 'steal', options: [{ loss: 'mse' }] }],
      budgets: [100, 10],
      seeds: [3, 1],
    });
    const cells = expandGrid(config, registry, 'test', '9.9.9');
    expect(cells).toHaveLength(2 * 2 * 2 * 2 * 1 * 2);
    expect(new Set(cells.map((c) => c.key)).size).toBe(cells.length);
    expect(cells[0]!.cell).toEqual({
      victim: 'victim-b',
      defense: { id: 'noise', options: { sigma: 0.5, mean: 0 } },
      attack: { id: 'label-steal', options: {} },
      budget: 100,
      pool: 'fixture/pool',
      seed: 3,
      downstream: ['task-a', 'task-b'],
      output: 'label',
    });
    expect(cells[1]!.cell.seed).toBe(1);
    expect(cells[2]!.cell.budget).toBe(10);
    expect(cells[4]!.cell.attack).toEqual({ id: 'steal', options: { loss: 'mse', epochs: 5 } });
    expect(cells[4]!.cell.output).toBe('representation');
    expect(cells[8]!.cell.defense.options).toEqual({ sigma: 0.1, mean: 0 });
    expect(cells.at(-1)!.cell.victim).toBe('victim-a');
    expect(cells[0]!.pluginHashes).toEqual({
      'victim:victim-b': registry.victims[1]!.hash,
      'defense:noise': registry.defenses[1]!.hash,
      'attack:label-steal': registry.attacks[1]!.hash,
    });
    expect(cells[0]!.key).toBe(cellKey(cells[0]!.cell, cells[0]!.pluginHashes, '9.9.9'));
    // Stable: the same config gives the same list.
    expect(expandGrid(config, registry, 'test', '9.9.9')).toEqual(cells);
  });

  it('gives the same key to options written out as defaults and options left to them', () => {
    const implicit = expandGrid(fixtureConfig({ defenses: [{ id: 'noise' }] }), registry);
    const explicit = expandGrid(
      fixtureConfig({ defenses: [{ id: 'noise', options: [{ mean: 0, sigma: 0.1 }] }] }),
      registry,
    );
    expect(explicit.map((c) => c.key)).toEqual(implicit.map((c) => c.key));
  });

  it('changes the keys of exactly the cells that use a plugin whose content hash changed', () => {
    const config = fixtureConfig();
    const before = expandGrid(config, registry);
    const edited = {
      ...registry,
      attacks: registry.attacks.map((a) => (a.id === 'steal' ? { ...a, hash: 'f'.repeat(64) } : a)),
    };
    const after = expandGrid(config, edited);
    before.forEach((planned, i) => {
      expect(after[i]!.key === planned.key).toBe(planned.cell.attack.id !== 'steal');
    });
  });
});

describe('sub-grids', () => {
  it('runs the union of the sub-grids, each overriding the top-level lists, and a shared cell once', async () => {
    const base = {
      name: 'sub',
      victims: [registry.victims[0]!.id],
      defenses: [{ id: registry.defenses[0]!.id }],
      attacks: [{ id: registry.attacks[0]!.id }],
      budgets: [10, 20],
      pools: ['fmnist/attacker-pool-20k'],
      seeds: [0],
      downstream: ['fmnist'],
    };
    const whole = expandGrid(validateConfig(base, 'sub.json'), registry);
    const split = expandGrid(
      validateConfig({ ...base, grids: [{ budgets: [10] }, { budgets: [10, 20] }] }, 'sub.json'),
      registry,
    );
    expect(split.map((c) => c.key)).toEqual(whole.map((c) => c.key));
    const small = expandGrid(validateConfig({ ...base, grids: [{ budgets: [20] }] }, 'sub.json'), registry);
    expect(small.map((c) => c.cell.budget)).toEqual([20]);
  });
  it('locates a bad id inside a sub-grid by its JSON path', async () => {
    const config = validateConfig(
      {
        name: 'sub',
        victims: [registry.victims[0]!.id],
        defenses: [{ id: registry.defenses[0]!.id }],
        attacks: [{ id: registry.attacks[0]!.id }],
        budgets: [10],
        pools: ['fmnist/attacker-pool-20k'],
        seeds: [0],
        downstream: ['fmnist'],
        grids: [{ attacks: [{ id: 'no-such-attack' }] }],
      },
      'sub.json',
    );
    expect(() => expandGrid(config, registry)).toThrow(/\/grids\/0\/attacks\/0\/id/);
  });
});
