// Sybil spread (adaptive, issue 13): direct extraction whose queries are spread over several accounts so that each
// account looks like a legitimate user to a defense that watches accounts one at a time.
//  - similar-query detection compares a query only with the same account's history: the images are assigned to
//    accounts so that similar images land in different accounts (attacks/_shared/spread.ts), and answers the
//    detector replaced with garbage (rows far longer than a representation) are left out of training;
//  - proof-of-work prices an account by the entropy of its queries' buckets against a legitimate session: each
//    account gets a random share of the pool no longer than a legitimate session (the defense's public
//    `calibrationQueries`), and the accounts' requests interleave like independent users'.
// The budget is the total over all accounts; every image is sent once.
import { defineAttack, deriveSeed, getLoss, vectorsToTensor, type AttackContext } from '../../benchmark/index.ts';
import { accountsOption, buyThroughAccounts, roundRobin, usableAccounts } from '../_shared/accounts.ts';
import { defenseOption, garbageRows } from '../_shared/adaptive.ts';
import { epochLossesText, trainStudent, trainingForward } from '../_shared/fit.ts';
import { stepsForLosses, studentOptionProperties, type StudentOptions } from '../_shared/options.ts';
import { plannedQueries, takeImages } from '../_shared/query.ts';
import { diverseAssignment } from '../_shared/spread.ts';
import { createStudent } from '../_shared/student.ts';

export interface SybilSpreadOptions extends StudentOptions {
  accounts: number | 'auto';
  assignment: 'diverse' | 'round-robin';
  loss: 'mse' | 'infonce';
  dropOutliers: boolean;
}

/** Images per account under similar-query detection: short histories are where its flag rate stays low. */
export const SIMILARITY_ACCOUNT_SIZE = 25;

/** How many accounts `'auto'` asks for, from the defense the attack faces and its public options. */
export function autoAccounts(ctx: Pick<AttackContext, 'defense'>, budget: number): number {
  const session = defenseOption<number>(ctx, 'proof-of-work', 'calibrationQueries');
  if (session !== undefined) return Math.max(1, Math.ceil(budget / session));
  if (ctx.defense?.id === 'similar-query-detection') return Math.max(1, Math.ceil(budget / SIMILARITY_ACCOUNT_SIZE));
  return 1;
}

export default defineAttack<SybilSpreadOptions>({
  meta: {
    id: 'sybil-spread',
    title: 'Sybil spread (adaptive: accounts that each look legitimate)',
    paper:
      'Adaptive attack in the sense of Tramèr, Carlini, Brendel, Madry, "On Adaptive Attacks to Adversarial Example ' +
      'Defenses", NeurIPS 2020; sybil accounts as discussed by Dubiński et al., "Bucks for Buckets (B4B)", NeurIPS ' +
      '2023 and Dziedzic et al., ICML 2022, section 5',
    description:
      'Direct extraction with its queries spread over k accounts: no near-duplicates within an account, no account ' +
      'longer than a legitimate session, garbage answers dropped.',
    needs: { output: 'representation' },
    targets: ['similar-query-detection', 'proof-of-work'],
    options: {
      type: 'object',
      properties: {
        accounts: accountsOption(
          "accounts to spread the budget over; 'auto': budget / calibrationQueries under proof-of-work, " +
            "budget / 25 under similar-query detection, else 1 (capped by the oracle's maxAccounts)",
        ),
        assignment: {
          enum: ['diverse', 'round-robin'],
          default: 'diverse',
          description: 'which image goes to which account',
        },
        loss: { enum: ['mse', 'infonce'], default: 'mse', description: 'stealing loss' },
        dropOutliers: {
          type: 'boolean',
          default: true,
          description:
            'leave out the answers a detector replaced with garbage (its public noise settings; else rows 10x longer ' +
            'than most)',
        },
        ...studentOptionProperties(310),
      },
      ...stepsForLosses(['infonce'], 75),
    },
  },
  async steal(ctx, options) {
    const label = 'sybil-spread';
    const n = await plannedQueries(ctx);
    const images = takeImages(ctx.pool, n);
    const accounts = usableAccounts(ctx, options.accounts === 'auto' ? autoAccounts(ctx, n) : options.accounts, label);
    const accountOf =
      options.assignment === 'diverse'
        ? diverseAssignment(images, accounts, deriveSeed(ctx.seed, 'spread'))
        : roundRobin(n, accounts);
    const bought = await buyThroughAccounts(ctx, images, accountOf, options.queryBatchSize, `${label}: querying`);
    const outliers = options.dropOutliers ? garbageRows(ctx, bought.answers) : new Array<boolean>(n).fill(false);
    const kept = Array.from({ length: n }, (_, i) => i).filter((i) => !outliers[i]);
    ctx.log(
      `${label}: ${n} queries over ${accounts} account(s) (${bought.perAccount.join(', ')}), ` +
        `${n - kept.length} garbage answers dropped`,
    );
    if (kept.length === 0) throw new Error(`${label}: every answer looked like garbage; nothing to train on`);

    const student = createStudent(images, options, ctx.seed, bought.answers.dim);
    const loss = getLoss(options.loss);
    const result = await trainStudent(ctx, options, {
      student,
      count: kept.length,
      batchSize: options.batchSize ?? (options.loss === 'infonce' ? 256 : 64),
      label,
      loss: ({ indices }) => {
        const rows = indices.map((i) => kept[i]!);
        return loss(trainingForward(student, images, rows), vectorsToTensor(bought.answers, rows));
      },
    });
    ctx.log(`${label}: ${result.steps} steps, epoch losses ${epochLossesText(result)}`);
    return student;
  },
});
