// Input validation of the oracle: every malformed batch is refused with an InvalidQueryError naming the field, what
// was expected and what was found — before the victim runs and without charging the account.
import { describe, expect, it } from 'vitest';
import { InvalidQueryError, OracleConfigError, UnknownAccountError } from '../benchmark/oracle/errors.ts';
import { createOracle } from '../benchmark/oracle/oracle.ts';
import type { ImageBatch } from '../benchmark/plugin/types.ts';
import { tinyBatch, tinyVictim } from './fixtures/oracle-tiny-victim.ts';

function withPixel(index: number, value: number): ImageBatch {
  const batch = tinyBatch(2);
  batch.data[index] = value;
  return batch;
}

const cases: [string, unknown, string, RegExp][] = [
  ['not an object', 42, 'images', /an ImageBatch object.*found number 42/],
  ['null', null, 'images', /found null/],
  ['zero count', { ...tinyBatch(1), count: 0 }, 'images.count', /a positive integer.*found number 0/],
  ['fractional count', { ...tinyBatch(1), count: 1.5 }, 'images.count', /positive integer/],
  [
    'wrong height',
    { ...tinyBatch(1, 1, [5, 4, 1]) },
    'images.height',
    /must be 4 \(the victim's input shape\), found number 5/,
  ],
  ['wrong width', { ...tinyBatch(1, 1, [4, 3, 1]) }, 'images.width', /must be 4/],
  ['wrong channels', { ...tinyBatch(1, 1, [4, 4, 3]) }, 'images.channels', /must be 1.*found number 3/],
  [
    'plain array data',
    { ...tinyBatch(1), data: Array.from(tinyBatch(1).data) },
    'images.data',
    /a Float32Array.*found an Array of length 16/,
  ],
  [
    'float64 data',
    { ...tinyBatch(1), data: Float64Array.from(tinyBatch(1).data) },
    'images.data',
    /found a Float64Array of length 16/,
  ],
  [
    'short data',
    { ...tinyBatch(2), data: tinyBatch(1).data },
    'images.data.length',
    /must be 32 \(count 2 × 4×4×1\), found 16/,
  ],
  ['NaN pixel', withPixel(20, NaN), 'images.data[20] (image 1, offset 4)', /found NaN/],
  ['Infinity pixel', withPixel(3, Infinity), 'images.data[3] (image 0, offset 3)', /found Infinity/],
  ['negative pixel', withPixel(0, -0.25), 'images.data[0] (image 0, offset 0)', /found -0.25 \(out of range\)/],
  ['pixel above 1', withPixel(31, 255), 'images.data[31] (image 1, offset 15)', /found 255 \(out of range\)/],
];

describe('oracle input validation', () => {
  for (const [name, input, field, message] of cases) {
    it(`${name} → InvalidQueryError on ${field}, nothing charged, victim not called`, async () => {
      const victim = tinyVictim();
      const oracle = createOracle({ deployment: victim });
      oracle.openAccount('a', 10, 'attacker');
      const error = await oracle.query('a', input as ImageBatch).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidQueryError);
      expect((error as InvalidQueryError).field).toBe(field);
      expect((error as InvalidQueryError).code).toBe('INVALID_QUERY');
      expect((error as Error).message).toMatch(message);
      expect(oracle.budget('a')).toEqual({ total: 10, used: 0, remaining: 10 });
      expect(oracle.audit('a')).toEqual([]);
      expect(victim.encodeCalls).toBe(0);
    });
  }

  it('pixels exactly 0 and 1 are accepted', async () => {
    const oracle = createOracle({ deployment: tinyVictim() });
    oracle.openAccount('a', 2, 'attacker');
    await oracle.query('a', tinyBatch(1, 1, [4, 4, 1], 0));
    await oracle.query('a', tinyBatch(1, 1, [4, 4, 1], 1));
    expect(oracle.budget('a').used).toBe(2);
  });

  it('unknown accounts and bad account settings are refused clearly', async () => {
    const oracle = createOracle({ deployment: tinyVictim() });
    await expect(oracle.query('ghost', tinyBatch(1))).rejects.toBeInstanceOf(UnknownAccountError);
    oracle.openAccount('a', 1, 'attacker');
    expect(() => oracle.openAccount('a', 1, 'attacker')).toThrow(/already open/);
    expect(() => oracle.openAccount('b', -1, 'attacker')).toThrow(/non-negative integer.*found -1/);
    expect(() => oracle.openAccount('c', 1, 'admin' as 'attacker')).toThrow(OracleConfigError);
  });
});
