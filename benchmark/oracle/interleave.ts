// The legitimate users' traffic, interleaved in time with the attacker's on a seeded schedule, so that the order of
// queries tells a defense nothing about which account attacks: some users start before the attacker's first query,
// the rest of their batches are released as the attacker's spend crosses seeded thresholds, and what is still due
// when the attack ends is sent then.
//
// Schedule: each user's images are cut into batches of seeded sizes (each user keeps its own order); the users'
// batches are merged in a seeded order; each batch gets a release threshold, in images the attacker has spent, drawn
// uniformly in [0, 1.25 × budget) and sorted along the merged order, the first forced to 0. So about a fifth of the
// legitimate traffic comes after an attacker that spends its whole budget, and at least one batch comes before it.
import type { ImageBatch, OracleClient, QueryAnswer, QueryOptions } from '../plugin/types.ts';
import { createRng, deriveSeed } from '../util/random.ts';
import type { Oracle } from './oracle.ts';

/** Smallest and largest legitimate batch, in images. */
export const LEGITIMATE_BATCH_SIZES: readonly [number, number] = [32, 256];
/** Thresholds are drawn in [0, SPREAD × attacker budget): the part above the budget is sent after the attack. */
const SPREAD = 1.25;

/** One user's images, in the order the user sends them, through one (already opened) account. */
export interface LegitimateStream {
  account: string;
  images: ImageBatch;
}

export interface ScheduledBatch {
  /** Index of the stream (user) in the list given to the schedule. */
  stream: number;
  /** First image of the batch in its stream, and how many images it holds. */
  start: number;
  count: number;
  /** Released once the attacker has spent (been answered or reserved) at least this many images. */
  threshold: number;
}

/** The seeded schedule of the users' batches (see the file's header). */
export function legitimateSchedule(
  imageCounts: readonly number[],
  attackerBudget: number,
  seed: number,
): ScheduledBatch[] {
  const rng = createRng(deriveSeed(seed, 'legitimate-schedule'));
  const [smallest, largest] = LEGITIMATE_BATCH_SIZES;
  const perStream = imageCounts.map((total, stream) => {
    const batches: Omit<ScheduledBatch, 'threshold'>[] = [];
    for (let start = 0; start < total;) {
      const count = Math.min(total - start, rng.int(smallest, largest));
      batches.push({ stream, start, count });
      start += count;
    }
    return batches;
  });
  // A seeded merge that keeps each stream's order: shuffle the multiset of stream labels, one per batch.
  const labels = rng.shuffle(perStream.flatMap((batches, stream) => batches.map(() => stream)));
  const next = perStream.map(() => 0);
  const merged = labels.map((stream) => perStream[stream]![next[stream]!++]!);
  const thresholds = merged.map(() => Math.floor(rng.next() * SPREAD * attackerBudget)).sort((a, b) => a - b);
  if (thresholds.length > 0) thresholds[0] = 0;
  return merged.map((batch, i) => ({ ...batch, threshold: thresholds[i]! }));
}

export interface LegitimateTraffic {
  /** Sends, in schedule order and one at a time, every batch due once the attacker has spent `spent` images. */
  release(spent: number): Promise<void>;
  /** Sends every batch still pending (the attack has ended). */
  finish(): Promise<void>;
  /** Per stream, the answers in the stream's image order (complete once `finish` has resolved without error). */
  answers(): QueryAnswer[][];
  /** The first error a legitimate batch met (then nothing more is sent), or undefined. */
  error(): unknown;
  /** Wall-clock seconds spent sending legitimate batches so far (taken out of the attacker's time). */
  seconds(): number;
}

function sliceBatch(images: ImageBatch, start: number, count: number): ImageBatch {
  const size = images.height * images.width * images.channels;
  return { ...images, count, data: images.data.subarray(start * size, (start + count) * size) };
}

export function createLegitimateTraffic(
  oracle: Oracle,
  streams: readonly LegitimateStream[],
  schedule: readonly ScheduledBatch[],
): LegitimateTraffic {
  const answers: QueryAnswer[][] = streams.map(() => []);
  let next = 0;
  let failure: unknown;
  let failed = false;
  let chain: Promise<void> = Promise.resolve();
  let busy = 0;
  async function sendDue(spent: number): Promise<void> {
    const started = performance.now();
    try {
      await sendEach(spent);
    } finally {
      busy += (performance.now() - started) / 1000;
    }
  }
  async function sendEach(spent: number): Promise<void> {
    while (!failed && next < schedule.length && schedule[next]!.threshold <= spent) {
      const { stream, start, count } = schedule[next++]!;
      const { account, images } = streams[stream]!;
      try {
        answers[stream]!.push(await oracle.query(account, sliceBatch(images, start, count)));
      } catch (error) {
        failed = true;
        failure = error;
      }
    }
  }
  const release = (spent: number) => (chain = chain.then(() => sendDue(spent)));
  return {
    release,
    finish: () => release(Infinity),
    answers: () => answers.map((list) => list.slice()),
    error: () => failure,
    seconds: () => busy,
  };
}

/**
 * The attacker's client with the legitimate traffic in front of it: before each attacker batch, the users' batches
 * due at the attacker's current spend are sent (and answered) first.
 */
export function interleavedClient(client: OracleClient, spent: () => number, traffic: LegitimateTraffic): OracleClient {
  return Object.freeze({
    output: client.output,
    inputShape: client.inputShape,
    outputDim: client.outputDim,
    maxAccounts: client.maxAccounts,
    budget: () => client.budget(),
    query: async (images: ImageBatch, options?: QueryOptions) => {
      await traffic.release(spent());
      return client.query(images, options);
    },
  });
}

/** Answers of one stream, concatenated in image order. */
export function concatAnswers(parts: readonly QueryAnswer[]): QueryAnswer {
  const dim = parts[0]?.dim ?? 0;
  const count = parts.reduce((sum, part) => sum + part.count, 0);
  const data = new Float32Array(count * dim);
  const labels = parts.every((part) => part.labels) && parts.length > 0 ? new Int32Array(count) : undefined;
  let row = 0;
  for (const part of parts) {
    if (part.dim !== dim) throw new RangeError(`concatAnswers: answers of dim ${part.dim} and ${dim} in one stream`);
    data.set(part.data, row * dim);
    labels?.set(part.labels!, row);
    row += part.count;
  }
  return labels ? { data, count, dim, labels } : { data, count, dim };
}

/** Rows [start, end) of an answer (labels too), as views of it: no copy (a user's answers run to tens of MB). */
export function sliceAnswer(answer: QueryAnswer, start: number, end: number): QueryAnswer {
  const part: QueryAnswer = {
    data: answer.data.subarray(start * answer.dim, end * answer.dim),
    count: end - start,
    dim: answer.dim,
  };
  if (answer.labels) part.labels = answer.labels.subarray(start, end);
  return part;
}

/** `first`'s images followed by `second`'s, as one batch (same image shape). */
export function concatImages(first: ImageBatch, second: ImageBatch): ImageBatch {
  const data = new Float32Array(first.data.length + second.data.length);
  data.set(first.data, 0);
  data.set(second.data, first.data.length);
  return {
    data,
    count: first.count + second.count,
    height: first.height,
    width: first.width,
    channels: first.channels,
  };
}
