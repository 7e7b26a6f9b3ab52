// The oracle's known answers (the legitimate users' probe sets, answered once per victim): rows found by image hash
// are served without running the victim, the rest are computed, the order of the batch is kept, and a guard sees
// the same clean answer either way.
import { describe, expect, it } from 'vitest';
import { createOracle, type KnownAnswers } from '../benchmark/oracle/oracle.ts';
import { hashImages } from '../benchmark/oracle/image-hash.ts';
import type { ImageBatch, Vectors } from '../benchmark/plugin/types.ts';
import { tinyBatch, tinyVictim } from './fixtures/oracle-tiny-victim.ts';

/** The tiny victim, counting the images it is asked to encode. */
function countingVictim() {
  const victim = tinyVictim();
  const calls: number[] = [];
  const encode = victim.encode.bind(victim);
  return {
    calls,
    victim: {
      ...victim,
      encode: (images: ImageBatch) => {
        calls.push(images.count);
        return encode(images);
      },
    },
  };
}

/** Known answers for the rows `rows` of `batch`: marked values (row index + 100) that the victim never gives. */
function marked(batch: ImageBatch, rows: number[], dim: number): KnownAnswers {
  const hashes = hashImages(batch);
  return { vectors: new Map(rows.map((r) => [hashes[r]!, new Float32Array(dim).fill(100 + r)])) };
}

describe('oracle known answers', () => {
  it('serves known rows without the victim, computes only the others, in the batch order', async () => {
    const { victim, calls } = countingVictim();
    const batch = tinyBatch(5, 7);
    const oracle = createOracle({ deployment: victim, knownAnswers: marked(batch, [1, 3], 3) });
    oracle.openAccount('a', 100, 'legitimate');
    const answer = await oracle.query('a', batch);
    expect(calls).toEqual([3]);
    const truth = (await tinyVictim().encode(batch)).data;
    for (const r of [0, 2, 4])
      expect(Array.from(answer.data.subarray(r * 3, r * 3 + 3))).toEqual(Array.from(truth.subarray(r * 3, r * 3 + 3)));
    for (const r of [1, 3])
      expect(Array.from(answer.data.subarray(r * 3, r * 3 + 3))).toEqual([100 + r, 100 + r, 100 + r]);
  });

  it('a batch made only of known rows never reaches the victim; an unknown batch is computed whole', async () => {
    const { victim, calls } = countingVictim();
    const batch = tinyBatch(4, 9);
    const oracle = createOracle({ deployment: victim, knownAnswers: marked(batch, [0, 1, 2, 3], 3) });
    oracle.openAccount('a', 100, 'legitimate');
    await oracle.query('a', batch);
    expect(calls).toEqual([]);
    await oracle.query('a', tinyBatch(2, 10));
    expect(calls).toEqual([2]);
    expect(oracle.budget('a').used).toBe(6);
  });

  it('the guard gets the known rows as the clean answer', async () => {
    const batch = tinyBatch(3, 4);
    const seen: Vectors[] = [];
    const oracle = createOracle({
      deployment: tinyVictim(),
      knownAnswers: marked(batch, [2], 3),
      guard: {
        async answer({ clean }) {
          seen.push(clean);
          return { answer: clean };
        },
      },
    });
    oracle.openAccount('a', 10, 'legitimate');
    await oracle.query('a', batch);
    expect(Array.from(seen[0]!.data.subarray(6, 9))).toEqual([102, 102, 102]);
  });

  it('label API: known labels are served with their scores; a row without a known label is computed', async () => {
    const { victim } = countingVictim();
    const batch = tinyBatch(3, 12);
    const hashes = hashImages(batch);
    const reference = await tinyVictim().classify(batch);
    const knownAnswers: KnownAnswers = {
      vectors: new Map([0, 1].map((r) => [hashes[r]!, reference.scores.data.slice(r * 4, r * 4 + 4)])),
      labels: new Map([[hashes[0]!, 3]]),
    };
    const oracle = createOracle({ deployment: victim, output: 'label', knownAnswers });
    oracle.openAccount('a', 10, 'legitimate');
    const answer = await oracle.query('a', batch);
    expect(answer.labels![0]).toBe(3);
    expect(Array.from(answer.labels!.subarray(1))).toEqual(Array.from(reference.labels.subarray(1)));
    expect(answer.data).toEqual(reference.scores.data);
  });
});
