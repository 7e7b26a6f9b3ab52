// Legitimate users: separate accounts with an ordinary downstream workload (label some images, train a linear
// classifier on what the API returns, classify new images). Their accuracy through the defended API, against the
// same workload on the undefended victim, is what a defense costs the people it is meant to serve.
import type { ImageSet, Vectors } from '../plugin/types.ts';
import type { Oracle } from '../oracle/oracle.ts';
import { linearProbe, type FeatureFn } from '../nn/probe.ts';
import { loadSplit } from '../data/splits.ts';
import { downstreamSplits } from './downstream.ts';
import { deriveSeed } from '../util/random.ts';
import { sliceImageSet } from '../data/image-set.ts';

export interface LegitimateWorkload {
  accounts: number;
  /** Labelled images each user sends to train their classifier, and images they then classify. */
  trainImages: number;
  testImages: number;
  task: string;
}

export const DEFAULT_WORKLOAD: Readonly<LegitimateWorkload> = Object.freeze({ accounts: 2, trainImages: 1000, testImages: 500, task: 'fmnist' });

export interface LegitimateResult {
  accounts: string[];
  /** Mean accuracy over the users, in [0, 1]. */
  defended: number;
  undefended: number;
}

/** The user's share of a split: disjoint, contiguous slices so that users do not send each other's images. */
function slice(set: ImageSet, user: number, count: number): ImageSet {
  const start = (user * count) % Math.max(1, set.count - count + 1);
  return sliceImageSet(set, start, Math.min(set.count, start + count), `${set.name}[user ${user}]`);
}

function accuracyOf(labels: Int32Array, truth: Int32Array): number {
  let correct = 0;
  for (let i = 0; i < truth.length; i++) if (labels[i] === truth[i]) correct++;
  return truth.length === 0 ? 0 : correct / truth.length;
}

/**
 * Runs every legitimate user's workload through `oracle` (accounts opened here) and through `undefended`, the clean
 * API answer for the same output kind. Label APIs are scored by the labels they return.
 */
export async function runLegitimateUsers(
  oracle: Oracle,
  undefended: (images: ImageSet) => Promise<Vectors & { labels?: Int32Array }>,
  seed: number,
  workload: LegitimateWorkload = DEFAULT_WORKLOAD,
): Promise<LegitimateResult> {
  const { train, test } = downstreamSplits(workload.task);
  const trainSet = await loadSplit(train);
  const testSet = await loadSplit(test);
  const accounts: string[] = [];
  let defended = 0;
  let clean = 0;
  for (let user = 0; user < workload.accounts; user++) {
    const account = `legitimate-${user + 1}`;
    accounts.push(account);
    const userTrain = slice(trainSet, user, workload.trainImages);
    const userTest = slice(testSet, user, workload.testImages);
    oracle.openAccount(account, userTrain.count + userTest.count, 'legitimate');
    const probeSeed = deriveSeed(seed, account);
    if (oracle.output === 'label') {
      await oracle.query(account, userTrain);
      const answer = await oracle.query(account, userTest);
      defended += accuracyOf(answer.labels!, userTest.labels!);
      clean += accuracyOf((await undefended(userTest)).labels!, userTest.labels!);
      continue;
    }
    const throughApi: FeatureFn = (images) => oracle.query(account, images);
    defended += (await linearProbe(throughApi, userTrain, userTest, {}, probeSeed)).accuracy;
    clean += (await linearProbe((images) => undefended(images as ImageSet), userTrain, userTest, {}, probeSeed)).accuracy;
  }
  return { accounts, defended: defended / workload.accounts, undefended: clean / workload.accounts };
}
