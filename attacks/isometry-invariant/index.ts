// Isometry-invariant extraction (adaptive, issue 13): B4B answers every account through its own secret isometry plus
// shift, y ↦ yQ_a + t_a, so that sybil accounts cannot pool their answers, and adds noise that grows with the share of
// LSH buckets an account covers. Both are per-account, and both give way to an attacker that knows it:
//  - spread the budget over k accounts, each small enough to stay below B4B's coverage threshold β (its public
//    options: 2^hyperplanes buckets, β), so each account gets little noise;
//  - train with a loss the per-account map cannot change: within one account, centred answers have the same Gram
//    matrix (inner products, hence distances) as the victim's, whatever Q_a and t_a are. Every training batch is drawn
//    from one account, centred, and the student's centred Gram matrix is fitted to the answers'. The student learns
//    the victim up to one isometry, which a linear probe does not see. Even with one account this beats squared
//    error on B4B's answers: the shift t_a makes coordinates negative, which the student's non-negative
//    representation (ReLU, then pooling) cannot fit, while centring both sides removes it.
// Without B4B (the `none` control) and with one account, `loss: 'auto'` is plain squared error on the answers.
import * as tf from '@tensorflow/tfjs-core';
import { createRng, defineAttack, vectorsToTensor, type AttackContext } from '../../benchmark/index.ts';
import { accountsOption, buyThroughAccounts, roundRobin, usableAccounts } from '../_shared/accounts.ts';
import { defenseOption, facing } from '../_shared/adaptive.ts';
import { epochLossesText, trainStudent, trainingForward } from '../_shared/fit.ts';
import { studentOptionProperties, type StudentOptions } from '../_shared/options.ts';
import { plannedQueries, takeImages } from '../_shared/query.ts';
import { createStudent } from '../_shared/student.ts';

export interface IsometryInvariantOptions extends StudentOptions {
  accounts: number | 'auto';
  loss: 'auto' | 'gram' | 'mse';
}

/** 'auto' accounts: under B4B, no account larger than its coverage threshold in buckets (2^hyperplanes · β). */
export function autoAccounts(ctx: Pick<AttackContext, 'defense'>, budget: number): number {
  const hyperplanes = defenseOption<number>(ctx, 'b4b', 'hyperplanes');
  const beta = defenseOption<number>(ctx, 'b4b', 'beta');
  if (hyperplanes === undefined || beta === undefined) return 1;
  const perAccount = Math.max(1, Math.floor(2 ** hyperplanes * beta));
  return Math.max(1, Math.ceil(budget / perAccount));
}

/** Mean squared difference of the centred Gram matrices of two row sets (invariant to y ↦ yQ + t, Q orthogonal). */
export function centredGramLoss(student: tf.Tensor2D, answer: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const s = tf.sub(student, tf.mean(student, 0, true));
    const y = tf.sub(answer, tf.mean(answer, 0, true));
    const gs = tf.matMul(s, s, false, true);
    const gy = tf.matMul(y, y, false, true);
    return tf.mean(tf.squaredDifference(gs, gy)) as tf.Scalar;
  });
}

export default defineAttack<IsometryInvariantOptions>({
  meta: {
    id: 'isometry-invariant',
    title: 'Isometry-invariant extraction (adaptive: sybils below coverage, per-account Gram matching)',
    paper:
      'Adaptive attack against Dubiński, Pawlak, Boenisch, Trzciński, Dziedzic, "Bucks for Buckets (B4B)", NeurIPS ' +
      '2023, in the sense of Tramèr et al., NeurIPS 2020',
    description:
      'Spreads the budget over accounts that each stay below B4B’s coverage threshold and fits the per-account ' +
      'centred Gram matrix, which the per-account isometry cannot change.',
    needs: { output: 'representation' },
    targets: ['b4b'],
    options: {
      type: 'object',
      properties: {
        accounts: accountsOption(
          "accounts; 'auto': budget / (2^hyperplanes · beta) under b4b, else 1 (capped by the oracle's maxAccounts)",
        ),
        loss: {
          enum: ['auto', 'gram', 'mse'],
          default: 'auto',
          description:
            "'gram': per-account centred Gram matching; 'mse': squared error on the answers; " +
            "'auto': gram under b4b or with 2+ accounts, else mse",
        },
        ...studentOptionProperties(310),
      },
    },
  },
  async steal(ctx, options) {
    const label = 'isometry-invariant';
    const n = await plannedQueries(ctx);
    const images = takeImages(ctx.pool, n);
    const accounts = usableAccounts(ctx, options.accounts === 'auto' ? autoAccounts(ctx, n) : options.accounts, label);
    const bought = await buyThroughAccounts(
      ctx,
      images,
      roundRobin(n, accounts),
      options.queryBatchSize,
      `${label}: querying`,
    );
    const loss = options.loss === 'auto' ? (accounts > 1 || facing(ctx, 'b4b') ? 'gram' : 'mse') : options.loss;
    ctx.log(`${label}: ${n} queries over ${accounts} account(s) (${bought.perAccount.join(', ')}), loss ${loss}`);
    const members: number[][] = Array.from({ length: accounts }, () => []);
    bought.accountOf.forEach((a, i) => members[a]!.push(i));
    const batchSize = options.batchSize ?? 64;

    const student = createStudent(images, options, ctx.seed, bought.answers.dim);
    const result = await trainStudent(ctx, options, {
      student,
      count: n,
      batchSize,
      label,
      loss: ({ indices, seed }) => {
        let rows = indices;
        if (loss === 'gram') {
          // One account per batch (its own frame): chosen with probability ∝ its size, its rows shuffled.
          const rng = createRng(seed);
          let pick = rng.int(0, n - 1);
          let account = 0;
          while (pick >= members[account]!.length) pick -= members[account++]!.length;
          rows = rng.shuffle(members[account]!).slice(0, batchSize);
          // A one-image account has no Gram matrix to fit: take the first account that has one.
          if (rows.length < 2) rows = (members.find((m) => m.length >= 2) ?? rows).slice(0, batchSize);
        }
        const out = trainingForward(student, images, rows);
        const target = vectorsToTensor(bought.answers, rows);
        return loss === 'gram' ? centredGramLoss(out, target) : (tf.losses.meanSquaredError(target, out) as tf.Scalar);
      },
    });
    ctx.log(`${label}: ${result.steps} steps, epoch losses ${epochLossesText(result)}`);
    return student;
  },
});
