// What the oracle returns: representations, projections or labels (paper section 3.1 and table 4), the guard's say
// over the answer, the audit log's record of what the guard did, and the typed errors surviving a structured clone.
import { describe, expect, it } from 'vitest';
import {
  InvalidQueryError,
  OracleConfigError,
  QueryBudgetExceededError,
  reviveError,
  serializeError,
} from '../benchmark/oracle/errors.ts';
import { createOracle } from '../benchmark/oracle/oracle.ts';
import { tinyBatch, tinyVictim } from './fixtures/oracle-tiny-victim.ts';

describe('oracle outputs', () => {
  it('representation (default): what the victim encodes; an all-zero image maps to tanh(0) = 0', async () => {
    const victim = tinyVictim();
    const oracle = createOracle({ deployment: victim });
    oracle.openAccount('a', 10, 'legitimate');
    const zero = await oracle.query('a', tinyBatch(2, 1, [4, 4, 1], 0));
    expect(Array.from(zero.data)).toEqual([0, 0, 0, 0, 0, 0]);
    expect([oracle.output, oracle.outputDim, zero.dim, zero.labels]).toEqual(['representation', 3, 3, undefined]);
    const batch = tinyBatch(3, 5);
    expect((await oracle.query('a', batch)).data).toEqual((await victim.encode(batch)).data);
  });

  it('projection: through the head; refused at creation when the deployment has none', async () => {
    const victim = tinyVictim();
    const oracle = createOracle({ deployment: victim, output: 'projection' });
    oracle.openAccount('a', 10, 'attacker');
    const batch = tinyBatch(2, 3);
    const answer = await oracle.query('a', batch);
    expect(answer.dim).toBe(2);
    expect(answer.data).toEqual((await victim.project(await victim.encode(batch))).data);
    const { project: _p, ...headless } = tinyVictim();
    expect(() => createOracle({ deployment: headless, output: 'projection' })).toThrow(OracleConfigError);
    expect(() => createOracle({ deployment: headless, output: 'projection' })).toThrow(/has no project\(\)/);
  });

  it('label: labels and class scores from the classifier; argmax of what a guard returns', async () => {
    const victim = tinyVictim();
    const batch = tinyBatch(6, 11);
    const reference = await victim.classify(batch);
    const plain = createOracle({ deployment: victim, output: 'label' });
    plain.openAccount('a', 10, 'attacker');
    const answer = await plain.query('a', batch);
    expect(Array.from(answer.labels!)).toEqual(Array.from(reference.labels));
    expect(answer.data).toEqual(reference.scores.data);
    // A guard that reverses the class order flips every argmax: labels must follow the guarded scores.
    const reversing = createOracle({
      deployment: victim,
      output: 'label',
      guard: {
        async answer({ clean, output }) {
          expect(output).toBe('label');
          const data = new Float32Array(clean.data.length);
          for (let r = 0; r < clean.count; r++)
            for (let k = 0; k < 4; k++) data[r * 4 + k] = clean.data[r * 4 + 3 - k]!;
          return { answer: { ...clean, data } };
        },
      },
    });
    reversing.openAccount('a', 10, 'attacker');
    const guarded = await reversing.query('a', batch);
    expect(Array.from(guarded.labels!)).toEqual(Array.from(reference.labels, (l) => 3 - l));
    const { classify: _c, ...noClassifier } = tinyVictim();
    expect(() => createOracle({ deployment: noClassifier, output: 'label' })).toThrow(/has no classify\(\)/);
  });

  it(
    'the guard sees the clean answer and the account gets what the guard ' + 'returns; flags, note and cost are logged',
    async () => {
      const victim = tinyVictim();
      let t = 1000;
      const seen: number[][] = [];
      const oracle = createOracle({
        deployment: victim,
        now: () => t++,
        guard: {
          async answer({ account, clean }) {
            seen.push(Array.from(clean.data));
            return {
              answer: { data: clean.data.map((v) => v + 1), count: clean.count, dim: clean.dim },
              flagged: Array.from({ length: clean.count }, (_, i) => account === 'thief' && i % 2 === 0),
              note: `seen ${account}`,
              cost: { hashes: 10 * clean.count },
            };
          },
        },
      });
      oracle.openAccount('thief', 10, 'attacker');
      oracle.openAccount('user', 10, 'legitimate');
      const batch = tinyBatch(3, 2);
      const clean = await victim.encode(batch);
      const answer = await oracle.query('thief', batch);
      await oracle.query('user', tinyBatch(1, 3));
      expect(seen[0]).toEqual(Array.from(clean.data));
      expect(answer.data).toEqual(clean.data.map((v) => v + 1));
      expect(oracle.audit('thief')).toEqual([
        {
          seq: 0,
          account: 'thief',
          time: 1000,
          count: 3,
          hashes: expect.any(Array),
          guard: { flagged: [true, false, true], flaggedCount: 2, note: 'seen thief', cost: { hashes: 30 } },
        },
      ]);
      expect(oracle.accounts().map((a) => [a.id, a.role, a.flaggedImages, a.answered])).toEqual([
        ['thief', 'attacker', 2, 3],
        ['user', 'legitimate', 0, 1],
      ]);
    },
  );

  it('a guard answer that does not fit the batch is refused and not charged', async () => {
    const oracle = createOracle({
      deployment: tinyVictim(),
      guard: { answer: async ({ clean }) => ({ answer: { ...clean, count: clean.count - 1 } }) },
    });
    oracle.openAccount('a', 10, 'attacker');
    await expect(oracle.query('a', tinyBatch(2))).rejects.toThrow(
      /the defense guard's answer to a batch of 2 image\(s\) is invalid: answer: count 1 for a batch of 2/,
    );
    expect(oracle.budget('a').used).toBe(0);
  });

  it('typed errors survive serialize → structured clone → revive, class and fields included', () => {
    const budget = reviveError(structuredClone(serializeError(new QueryBudgetExceededError('acc', 5, 2))));
    expect(budget).toBeInstanceOf(QueryBudgetExceededError);
    expect(budget).toMatchObject({ account: 'acc', requested: 5, remaining: 2, code: 'QUERY_BUDGET_EXCEEDED' });
    const invalid = reviveError(structuredClone(serializeError(new InvalidQueryError('images.height', '4', '5'))));
    expect(invalid).toBeInstanceOf(InvalidQueryError);
    expect(invalid.message).toBe(new InvalidQueryError('images.height', '4', '5').message);
    const fsError = Object.assign(new Error('denied'), { code: 'ERR_ACCESS_DENIED' });
    expect(reviveError(structuredClone(serializeError(fsError)))).toMatchObject({
      message: 'denied',
      code: 'ERR_ACCESS_DENIED',
    });
  });
});
