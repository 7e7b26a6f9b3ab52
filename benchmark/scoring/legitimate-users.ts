// Legitimate users: separate accounts with an ordinary downstream workload, scored on the attacker's protocol (issue
// 12.1). Each user sends the whole probe-train split of every downstream task (the labels they have) and its whole
// probe-test split (the images they then classify), trains the scoring probe (same recipe and label count as the
// stolen copies) on the answers the defended API gave them, and classifies (a) the defended answers for the test
// images, which is what a real user gets, and (b) the clean answers, which separates a spoilt probe from spoilt test
// answers. The cost of the defense is the paired difference against the same users, same seeds, through the
// undefended API. The harness (cell/execute-cell.ts, oracle/interleave.ts) decides when the users' queries are
// sent, interleaved with the attacker's, through the real defended oracle; this file plans the workload and scores
// the answers. Label APIs are scored the same way: the probe is trained on the class scores the API returns, which
// also covers tasks other than the one the victim's classifier was trained for.
import type { ImageSet, OracleOutput, QueryAnswer, Vectors, VictimDeployment } from '../plugin/types.ts';
import { fitProbeClassifier, standardised, standardiser, type ProbeRecipe } from '../nn/probe.ts';
import { classCount } from '../nn/tensors.ts';
import { loadSplit } from '../data/splits.ts';
import { downstreamSplits, SCORING_PROBE_RECIPE } from './downstream.ts';
import { deriveSeed } from '../util/random.ts';
import { accuracy } from './classification.ts';
import {
  answersHash,
  cacheRoot,
  imageSetHash,
  jsonCache,
  vectorsCache,
  type CachedVectors,
  type JsonCache,
} from './cache.ts';

/** Legitimate users per cell (each a separate account). */
export const DEFAULT_LEGITIMATE_ACCOUNTS = 2;

/** What one user sends for one task, in this order: every `train` image, then every `test` image. */
export interface LegitimateTaskPlan {
  /** A harness-internal user label (`legitimate-1`, ...); the oracle account it maps to is the harness's business. */
  account: string;
  task: string;
  train: ImageSet;
  test: ImageSet;
}

/** Every user's workload: the whole probe-train and probe-test split of each task, users in order, tasks in order. */
export async function planLegitimateUsers(
  tasks: readonly string[],
  accounts = DEFAULT_LEGITIMATE_ACCOUNTS,
): Promise<LegitimateTaskPlan[]> {
  if (!Number.isInteger(accounts) || accounts < 1)
    throw new Error(`planLegitimateUsers: accounts must be a positive integer, found ${accounts}`);
  const plans: LegitimateTaskPlan[] = [];
  for (let user = 1; user <= accounts; user++) {
    for (const task of tasks) {
      const names = downstreamSplits(task);
      plans.push({
        account: `legitimate-${user}`,
        task,
        train: await loadSplit(names.train),
        test: await loadSplit(names.test),
      });
    }
  }
  return plans;
}

/** Images a user's account must be allowed: the sum over its plans of train and test images. */
export function legitimateBudget(plans: readonly LegitimateTaskPlan[], account: string): number {
  return plans
    .filter((plan) => plan.account === account)
    .reduce((sum, plan) => sum + plan.train.count + plan.test.count, 0);
}

/** What the defended API answered one user for one task, in plan order (the batches concatenated). */
export interface LegitimateTaskAnswers {
  account: string;
  task: string;
  train: QueryAnswer;
  test: QueryAnswer;
  /** Per image, whether the guard flagged its answer (from the oracle's audit of the batches that carried it). */
  trainFlagged?: ArrayLike<boolean>;
  testFlagged?: ArrayLike<boolean>;
}

export interface LegitimateContext {
  deployment: VictimDeployment;
  /** The victim's content hash (the clean answers and every cached figure depend on it). */
  victimHash: string;
  output: OracleOutput;
  /** The cell's seed for the users (each user's probe seed is derived from it and the user label). */
  seed: number;
  /** The defense as the cell ran it: id, content hash and options (part of the cache key). */
  defense: { id: string; hash: string; options: Record<string, unknown> };
  /** Cache root (default `cacheRoot()`); `false` computes everything afresh and stores nothing. */
  cache?: string | false;
  /** Probe recipe (default the scoring recipe, as for the stolen copies). */
  recipe?: ProbeRecipe;
}

/** Per task, means over the users. */
export interface LegitimateFigures {
  accounts: string[];
  /** (a) Probe trained on the defended answers, tested on the defended answers for the test images. */
  defended: Record<string, number>;
  /** (b) The same probe, tested on the clean answers for the test images. */
  defendedCleanTest: Record<string, number>;
  /** The same users through the undefended API (same images, same probe seeds). */
  undefended: Record<string, number>;
  /** Paired cost of the defense: undefended − defended, per user, averaged. */
  drop: Record<string, number>;
  /**
   * Share of the users' answers (train and test images) that the guard flagged, and so may have replaced: a large
   * share warns that the user's probe was trained and standardised on replaced answers. Absent when the harness
   * passed no flags (an undefended cell, or a guard that flags nothing).
   */
  flaggedAnswers?: Record<string, number>;
}

const isRecordOfNumbers = (v: unknown): v is Record<string, number> =>
  typeof v === 'object' && v !== null && Object.values(v).every((x) => typeof x === 'number');

const isFigures = (v: unknown): v is LegitimateFigures => {
  const f = v as LegitimateFigures;
  return (
    typeof f === 'object' &&
    f !== null &&
    Array.isArray(f.accounts) &&
    [f.defended, f.defendedCleanTest, f.undefended, f.drop].every(isRecordOfNumbers) &&
    (f.flaggedAnswers === undefined || isRecordOfNumbers(f.flaggedAnswers))
  );
};

/** The undefended API's answer for a set, as a user of `output` would receive it. */
async function cleanAnswer(
  deployment: VictimDeployment,
  output: OracleOutput,
  images: ImageSet,
): Promise<CachedVectors> {
  if (output === 'label') {
    if (!deployment.classify)
      throw new Error(`legitimate users: the label API needs victim '${deployment.id}' to have a classifier`);
    const classified = await deployment.classify(images);
    return { ...classified.scores, labels: classified.labels };
  }
  const representations = await deployment.encode(images);
  if (output === 'representation') return representations;
  if (!deployment.project)
    throw new Error(`legitimate users: the projection API needs victim '${deployment.id}' to have a projection head`);
  return deployment.project(representations);
}

/**
 * The undefended API's answers for whole sets, from the `victim-answers` disk cache when the same victim has answered
 * the same images (`cache: false` computes them). Always computed set by set, so a row is the same whether or not it
 * came from the cache.
 */
export function cleanAnswers(
  context: Pick<LegitimateContext, 'deployment' | 'victimHash' | 'output' | 'cache'>,
): (set: ImageSet) => Promise<CachedVectors> {
  const clean = context.cache === false ? undefined : vectorsCache('victim-answers', context.cache ?? cacheRoot());
  return (set) =>
    clean
      ? clean.getOrCompute({ victim: context.victimHash, output: context.output, images: imageSetHash(set) }, () =>
          cleanAnswer(context.deployment, context.output, set),
        )
      : cleanAnswer(context.deployment, context.output, set);
}

function checkAnswer(answer: QueryAnswer, count: number, where: string): void {
  if (
    !answer ||
    !(answer.data instanceof Float32Array) ||
    answer.count !== count ||
    answer.data.length !== count * answer.dim
  ) {
    throw new Error(
      `scoreLegitimateUsers: ${where}: expected ${count} answers (the whole ` +
        `split, in plan order), found ${answer?.count} (data length ${answer?.data?.length}, ` +
        `dim ${answer?.dim})`,
    );
  }
}

function flaggedShare(answers: LegitimateTaskAnswers): number | undefined {
  if (!answers.trainFlagged && !answers.testFlagged) return undefined;
  let flagged = 0;
  for (const f of [answers.trainFlagged, answers.testFlagged])
    if (f) for (let i = 0; i < f.length; i++) if (f[i]) flagged++;
  return flagged / (answers.train.count + answers.test.count);
}

/** Accuracy of one probe fit on `train`, on each of `tests`. */
function probeScores(
  train: Vectors,
  trainLabels: Int32Array,
  tests: readonly Vectors[],
  testLabels: Int32Array,
  classes: number,
  recipe: ProbeRecipe,
  seed: number,
): number[] {
  const stats = standardiser(train);
  const classifier = fitProbeClassifier(standardised(train, stats), trainLabels, classes, recipe, seed);
  return tests.map((test) => accuracy(classifier.predict(standardised(test, stats)), testLabels));
}

/** Whether two answers to one split are the same, value for value (and label for label under the label API). */
function sameAnswer(a: QueryAnswer, b: QueryAnswer): boolean {
  const bytes = (array: ArrayBufferView) => Buffer.from(array.buffer, array.byteOffset, array.byteLength);
  if (a.dim !== b.dim || a.count !== b.count || !bytes(a.data).equals(bytes(b.data))) return false;
  if (!a.labels || !b.labels) return !a.labels && !b.labels;
  return bytes(a.labels).equals(bytes(b.labels));
}

/** The disk cache of legitimate-user figures (exported for tests and `bench:cell`). */
export function legitimateCache(root: string = cacheRoot()): JsonCache<LegitimateFigures> {
  return jsonCache('legitimate-users', isFigures, root);
}

/**
 * Scores every user's answers on the attacker's protocol. The result is cached under a key that covers everything it
 * depends on: the victim's hash, the output kind, the defense (id, content hash, options), the seed, the recipe, the
 * tasks' splits (content hashes) and the sha256 of every answer and flag the users received. A cached result is
 * therefore always the result for exactly these answers.
 */
export async function scoreLegitimateUsers(
  answers: readonly LegitimateTaskAnswers[],
  context: LegitimateContext,
): Promise<LegitimateFigures> {
  if (answers.length === 0) throw new Error('scoreLegitimateUsers: no answers to score');
  const recipe = context.recipe ?? SCORING_PROBE_RECIPE;
  const sets = new Map<string, { train: ImageSet; test: ImageSet; classes: number }>();
  for (const a of answers) {
    if (!sets.has(a.task)) {
      const names = downstreamSplits(a.task);
      const train = await loadSplit(names.train);
      const test = await loadSplit(names.test);
      sets.set(a.task, {
        train,
        test,
        classes: Math.max(classCount(train, `task ${a.task}`), classCount(test, `task ${a.task}`)),
      });
    }
    const { train, test } = sets.get(a.task)!;
    checkAnswer(a.train, train.count, `${a.account}, task ${a.task}, probe-train`);
    checkAnswer(a.test, test.count, `${a.account}, task ${a.task}, probe-test`);
    for (const [flags, count, part] of [
      [a.trainFlagged, train.count, 'trainFlagged'],
      [a.testFlagged, test.count, 'testFlagged'],
    ] as const) {
      if (flags && flags.length !== count)
        throw new Error(
          `scoreLegitimateUsers: ${a.account}, task ${a.task}: ${part} has ${flags.length} entries for ${count} images`,
        );
    }
  }
  const parts = {
    victim: context.victimHash,
    output: context.output,
    defense: context.defense,
    seed: context.seed,
    recipe,
    splits: Object.fromEntries(
      [...sets].map(([task, s]) => [task, { train: imageSetHash(s.train), test: imageSetHash(s.test) }]),
    ),
    answers: answersHash(
      answers.flatMap((a) => [
        {
          tag: `${a.account}/${a.task}/train`,
          data: a.train.data,
          ...(a.train.labels ? { labels: a.train.labels } : {}),
          ...(a.trainFlagged ? { flags: a.trainFlagged } : {}),
        },
        {
          tag: `${a.account}/${a.task}/test`,
          data: a.test.data,
          ...(a.test.labels ? { labels: a.test.labels } : {}),
          ...(a.testFlagged ? { flags: a.testFlagged } : {}),
        },
      ]),
    ),
  };
  const compute = async (): Promise<LegitimateFigures> => {
    const cleanOf = cleanAnswers(context);
    const undefendedCache =
      context.cache === false
        ? undefined
        : jsonCache('legitimate-undefended', (v): v is number => typeof v === 'number', context.cache ?? cacheRoot());
    const sums = new Map<
      string,
      { users: number; defended: number; cleanTest: number; undefended: number; flagged: number; flaggedUsers: number }
    >();
    for (const a of answers) {
      const { train, test, classes } = sets.get(a.task)!;
      const cleanTrain = await cleanOf(train);
      const cleanTest = await cleanOf(test);
      const seed = deriveSeed(context.seed, a.account);
      // Through the undefended API the answers are the clean ones: the same in every cell of this victim and seed,
      // whatever the attack and the defense, so this probe is cached on its own.
      const undefendedParts = {
        victim: context.victimHash,
        output: context.output,
        task: a.task,
        recipe,
        seed,
        train: imageSetHash(train),
        test: imageSetHash(test),
      };
      const fitUndefended = async () =>
        probeScores(cleanTrain, train.labels!, [cleanTest], test.labels!, classes, recipe, seed)[0]!;
      const undefended = undefendedCache
        ? await undefendedCache.getOrCompute(undefendedParts, fitUndefended)
        : await fitUndefended();
      // Answers the defense left as they were (all of them under 'none', most under a detection-only defense) make the
      // same probe on the same features, labels and seed: its scores are the undefended one, so it is not fitted again.
      const [defended, cleanTestScore] =
        sameAnswer(a.train, cleanTrain) && sameAnswer(a.test, cleanTest)
          ? [undefended, undefended]
          : probeScores(a.train, train.labels!, [a.test, cleanTest], test.labels!, classes, recipe, seed);
      const sum = sums.get(a.task) ?? {
        users: 0,
        defended: 0,
        cleanTest: 0,
        undefended: 0,
        flagged: 0,
        flaggedUsers: 0,
      };
      sum.users++;
      sum.defended += defended!;
      sum.cleanTest += cleanTestScore!;
      sum.undefended += undefended!;
      const share = flaggedShare(a);
      if (share !== undefined) {
        sum.flagged += share;
        sum.flaggedUsers++;
      }
      sums.set(a.task, sum);
    }
    const figures: LegitimateFigures = {
      accounts: [...new Set(answers.map((a) => a.account))],
      defended: {},
      defendedCleanTest: {},
      undefended: {},
      drop: {},
    };
    for (const [task, sum] of sums) {
      figures.defended[task] = sum.defended / sum.users;
      figures.defendedCleanTest[task] = sum.cleanTest / sum.users;
      figures.undefended[task] = sum.undefended / sum.users;
      figures.drop[task] = (sum.undefended - sum.defended) / sum.users;
      if (sum.flaggedUsers > 0) (figures.flaggedAnswers ??= {})[task] = sum.flagged / sum.flaggedUsers;
    }
    return figures;
  };
  if (context.cache === false) return compute();
  return legitimateCache(context.cache ?? cacheRoot()).getOrCompute(parts, compute);
}
