// The shared attack helpers: buyAnswers spends exactly the planned images in batches that never exceed the budget
// (and refuses a plan that does not fit, before sending anything); fit stops before the deadline with its reserve,
// keeps tf.memory() flat, and is deterministic; trainStudent is fit seeded from the cell seed under 'train', and frees
// every model it was given when training fails.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createTinyVictim, tinyImages } from '../../benchmark/testkit/index.ts';
import { DEADLINE_RESERVE_MS, fit, trainStudent } from './fit.ts';
import { buyAnswers, buyOnePerImage, plannedQueries, takeImages } from './query.ts';
import { initEngine, createMlpHead, deriveSeed, type AttackContext } from '../../benchmark/index.ts';
import { createOracle } from '../../benchmark/testkit/index.ts';

function context(
  budget: number,
  poolSize: number,
): { ctx: AttackContext; oracle: ReturnType<typeof createOracle>; progress: number[][] } {
  const oracle = createOracle({ deployment: createTinyVictim(1) });
  oracle.openAccount('a', budget, 'attacker');
  const progress: number[][] = [];
  const ctx: AttackContext = {
    oracle: oracle.client('a'),
    pool: tinyImages(poolSize, 2),
    budget,
    seed: 1,
    deadline: Date.now() + 60_000,
    progress: (done, total) => progress.push([done, total]),
    log: () => {},
  };
  return { ctx, oracle, progress };
}

describe('buyAnswers / plannedQueries', () => {
  it('plans min(budget, pool) and buys them in batches with no refusal', async () => {
    const { ctx, oracle, progress } = context(50, 80);
    const n = await plannedQueries(ctx);
    expect(n).toBe(50);
    const images = takeImages(ctx.pool, n);
    const bought = await buyAnswers(ctx, images, 16);
    expect(bought.answers.count).toBe(50);
    expect(oracle.budget('a').used).toBe(50);
    expect(oracle.refusals('a')).toHaveLength(0);
    expect(progress).toEqual([
      [16, 50],
      [32, 50],
      [48, 50],
      [50, 50],
    ]);
    // Row i is the victim's answer for image i.
    const direct = await createTinyVictim(1).encode(takeImages(ctx.pool, 1, 37));
    expect(Array.from(bought.answers.data.subarray(37 * 16, 38 * 16))).toEqual(Array.from(direct.data));
  });

  it('a pool smaller than the budget caps the plan; a plan over the budget is refused before any query', async () => {
    const small = context(100, 30);
    expect(await plannedQueries(small.ctx)).toBe(30);
    const { ctx, oracle } = context(10, 30);
    await expect(buyAnswers(ctx, takeImages(ctx.pool, 11), 4)).rejects.toThrow('planned 11 queries but only 10 remain');
    expect(oracle.budget('a').used).toBe(0);
    expect(oracle.refusals('a')).toHaveLength(0);
  });

  it('buyOnePerImage buys the planned pool images once each, as takeImages + buyAnswers do', async () => {
    const { ctx, oracle } = context(20, 30);
    const bought = await buyOnePerImage(ctx, 8, 'q');
    expect(bought.images.count).toBe(20);
    expect(Array.from(bought.images.data)).toEqual(Array.from(takeImages(ctx.pool, 20).data));
    expect(oracle.budget('a').used).toBe(20);
    const direct = await createTinyVictim(1).encode(takeImages(ctx.pool, 20));
    expect(Array.from(bought.answers.data)).toEqual(Array.from(direct.data));
  });

  it('takeImages copies, so writing to the copy leaves the pool alone', () => {
    const pool = tinyImages(3, 4);
    const copy = takeImages(pool, 2, 1);
    copy.data.fill(0);
    expect(pool.data.some((v) => v !== 0)).toBe(true);
    expect(() => takeImages(pool, 3, 1)).toThrow('the set has 3');
  });
});

describe('fit', () => {
  const setup = () => {
    const model = createMlpHead({ inputDim: 4, hiddenDims: [], outputDim: 2 }, 9);
    const x = tf.tensor2d(
      Array.from({ length: 40 }, (_, i) => Math.sin(i)),
      [10, 4],
    );
    const y = tf.tensor2d(
      Array.from({ length: 20 }, (_, i) => Math.cos(i)),
      [10, 2],
    );
    const loss = ({ indices }: { indices: number[] }) =>
      tf.mean(
        tf.squaredDifference(
          model.apply(tf.gather(x, indices), { training: true }) as tf.Tensor,
          tf.gather(y, indices),
        ),
      ) as tf.Scalar;
    return { model, loss, dispose: () => tf.dispose([x, y]) };
  };
  const quiet = { progress: () => {}, log: () => {} };

  it('trains every planned step, lowers the loss, leaves no tensors and repeats itself under a seed', async () => {
    await initEngine({ backend: 'wasm' });
    const runs: number[][] = [];
    for (let r = 0; r < 2; r++) {
      const { model, loss, dispose } = setup();
      const before = tf.memory().numTensors;
      const result = await fit(
        { ...quiet, deadline: Date.now() + 60_000 },
        {
          models: [model],
          count: 10,
          batchSize: 4,
          steps: 41,
          learningRate: 0.05,
          weightDecay: 0,
          seed: 3,
          loss,
          label: 't',
        },
      );
      expect(tf.memory().numTensors).toBe(before);
      expect(result.steps).toBe(41);
      // 10 examples in batches of 4: the last partial batch is dropped -> 2 steps an epoch, the 21st epoch has 1.
      expect(result.epochs).toBe(21);
      expect(result.epochLosses).toHaveLength(21);
      expect(result.stoppedForDeadline).toBe(false);
      expect(result.epochLosses.at(-1)!).toBeLessThan(result.epochLosses[0]! * 0.5);
      runs.push(result.epochLosses);
      model.dispose();
      dispose();
    }
    expect(runs[0]).toEqual(runs[1]);
  });

  it('takes the same number of steps whatever the number of examples (compute apart from the budget)', async () => {
    await initEngine({ backend: 'wasm' });
    for (const count of [3, 10]) {
      const model = createMlpHead({ inputDim: 4, hiddenDims: [], outputDim: 2 }, 9);
      const seen: number[][] = [];
      const loss = ({ indices }: { indices: number[] }) => {
        seen.push(indices);
        return tf.mean(model.apply(tf.ones([indices.length, 4]), { training: true }) as tf.Tensor) as tf.Scalar;
      };
      const progress: number[][] = [];
      const ctx = {
        progress: (done: number, total: number) => progress.push([done, total]),
        log: () => {},
        deadline: Date.now() + 60_000,
      };
      const result = await fit(ctx, {
        models: [model],
        count,
        batchSize: 4,
        steps: 7,
        learningRate: 0.01,
        weightDecay: 0,
        seed: 1,
        loss,
        label: 'c',
      });
      expect(result.steps).toBe(7);
      expect(seen).toHaveLength(7);
      expect(progress.at(-1)).toEqual([7, 7]);
      // Each epoch visits every example at most once, in batches of min(batchSize, count).
      expect(seen.every((batch) => batch.length === Math.min(4, count))).toBe(true);
      model.dispose();
    }
    const none = createMlpHead({ inputDim: 4, hiddenDims: [], outputDim: 2 }, 9);
    const quietCtx = { progress: () => {}, log: () => {}, deadline: Date.now() + 60_000 };
    const zero = {
      models: [none],
      count: 3,
      batchSize: 4,
      steps: 0,
      learningRate: 0.01,
      weightDecay: 0,
      seed: 1,
      label: 'z',
    };
    await expect(fit(quietCtx, { ...zero, loss: () => tf.scalar(0) })).rejects.toThrow(
      'z: steps must be a positive integer, found 0',
    );
    none.dispose();
  });

  it('stops before the deadline, keeping its reserve, and logs it', async () => {
    await initEngine({ backend: 'wasm' });
    const { model, loss, dispose } = setup();
    const logs: string[] = [];
    const slowLoss = (b: { indices: number[] }) => {
      const until = Date.now() + 200;
      while (Date.now() < until); // a 200 ms step
      return loss(b);
    };
    const deadline = Date.now() + DEADLINE_RESERVE_MS + 1000;
    const result = await fit(
      { progress: () => {}, log: (m) => logs.push(m), deadline },
      {
        models: [model],
        count: 10,
        batchSize: 5,
        steps: 200,
        learningRate: 0.01,
        weightDecay: 0,
        seed: 3,
        loss: slowLoss,
        label: 'slow',
      },
    );
    expect(result.stoppedForDeadline).toBe(true);
    expect(result.steps).toBeGreaterThan(0);
    expect(result.steps).toBeLessThan(10);
    expect(Date.now()).toBeLessThan(deadline - DEADLINE_RESERVE_MS + 400);
    expect(logs[0]).toMatch(/slow: stopped before the deadline after \d+\/200 steps/);
    model.dispose();
    dispose();
  });
});

describe('trainStudent', () => {
  const quiet = { progress: () => {}, log: () => {}, deadline: Date.now() + 60_000, seed: 5 };
  const settings = { steps: 6, learningRate: 0.05, weightDecay: 0 };
  const x = () =>
    tf.tensor2d(
      Array.from({ length: 40 }, (_, i) => Math.sin(i)),
      [10, 4],
    );
  const models = () => ({
    student: createMlpHead({ inputDim: 4, hiddenDims: [], outputDim: 3 }, 9),
    head: createMlpHead({ inputDim: 3, hiddenDims: [], outputDim: 2 }, 10),
  });
  const lossOf =
    (student: ReturnType<typeof models>['student'], head: ReturnType<typeof models>['head'], data: tf.Tensor2D) =>
    ({ indices }: { indices: number[] }) =>
      tf.mean(
        tf.square(head.apply(student.apply(tf.gather(data, indices)), { training: true }) as tf.Tensor),
      ) as tf.Scalar;

  it('is fit over the student and its companions with the options, seeded by the cell seed under "train"', async () => {
    await initEngine({ backend: 'wasm' });
    const data = x();
    const viaHelper = models();
    const helped = await trainStudent(quiet, settings, {
      student: viaHelper.student,
      alongside: [viaHelper.head],
      count: 10,
      batchSize: 4,
      label: 't',
      loss: lossOf(viaHelper.student, viaHelper.head, data),
    });
    const direct = models();
    const plain = await fit(quiet, {
      models: [direct.student, direct.head],
      count: 10,
      batchSize: 4,
      ...settings,
      seed: deriveSeed(quiet.seed, 'train'),
      label: 't',
      loss: lossOf(direct.student, direct.head, data),
    });
    expect(helped.steps).toBe(6);
    expect(helped.epochLosses).toEqual(plain.epochLosses);
    for (const [a, b] of viaHelper.student.getWeights().map((w, i) => [w, direct.student.getWeights()[i]!])) {
      expect(Array.from(a!.dataSync())).toEqual(Array.from(b.dataSync()));
    }
    // On success the caller keeps every model.
    expect(() => viaHelper.head.predict(tf.zeros([1, 3]))).not.toThrow();
    for (const m of [viaHelper.student, viaHelper.head, direct.student, direct.head]) m.dispose();
    data.dispose();
  });

  it('frees the student, its companions and frozen models when training throws, and rethrows', async () => {
    await initEngine({ backend: 'wasm' });
    const data = x();
    const before = tf.memory().numTensors;
    const { student, head } = models();
    const frozen = createMlpHead({ inputDim: 2, hiddenDims: [], outputDim: 2 }, 11);
    let calls = 0;
    const loss = (batch: { indices: number[] }) => {
      if (++calls === 3) throw new Error('broken batch');
      return lossOf(student, head, data)(batch);
    };
    await expect(
      trainStudent(quiet, settings, {
        student,
        alongside: [head],
        frozen: [frozen],
        count: 10,
        batchSize: 4,
        label: 'f',
        loss,
      }),
    ).rejects.toThrow('broken batch');
    expect(calls).toBe(3);
    expect(tf.memory().numTensors).toBe(before);
    data.dispose();
  });
});
