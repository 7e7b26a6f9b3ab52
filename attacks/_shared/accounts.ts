// Sybil querying (issue 13.2): one total budget spread over several attacker accounts. The oracle client serves
// accounts 0 … maxAccounts-1 and counts every image on every account against the one budget of the cell; these
// helpers plan which image goes through which account and buy the answers, never asking for more than what remains
// (a plan that does not fit is refused before anything is sent, as buyAnswers does for one account).
import type { AttackContext, ImageBatch, Vectors } from '../../benchmark/index.ts';

/** The `accounts` option (JSON Schema) of an attack that spreads its budget: a count, or 'auto' for its own rule. */
export function accountsOption(description: string) {
  return {
    anyOf: [{ type: 'integer', minimum: 1, maximum: 1024 }, { const: 'auto' }],
    default: 'auto',
    description,
  } as const;
}

/** The accounts an attack may really use: what it asks for, capped by the oracle's limit (old clients: 1). */
export function usableAccounts(ctx: Pick<AttackContext, 'oracle' | 'log'>, wanted: number, label: string): number {
  const limit = Math.max(1, ctx.oracle.maxAccounts ?? 1);
  if (!Number.isInteger(wanted) || wanted < 1)
    throw new Error(`${label}: accounts must be a positive integer, found ${wanted}`);
  if (wanted > limit) ctx.log(`${label}: asked for ${wanted} accounts, the oracle serves ${limit}; using ${limit}`);
  return Math.min(wanted, limit);
}

/** Image i goes through account i mod k: every account gets ⌊n/k⌋ or ⌈n/k⌉ images, in pool order. */
export function roundRobin(count: number, accounts: number): Int32Array {
  return Int32Array.from({ length: count }, (_, i) => i % accounts);
}

export interface BoughtByAccount {
  answers: Vectors;
  /** The account (index) each image was sent through. */
  accountOf: Int32Array;
  /** Images sent through each account. */
  perAccount: number[];
}

/**
 * Buys one answer per image, image i through account `accountOf[i]`, `batchSize` images a request. Requests take
 * turns between the accounts (one batch of each in turn), the way independent users' traffic interleaves.
 */
export async function buyThroughAccounts(
  ctx: Pick<AttackContext, 'oracle' | 'progress'>,
  images: ImageBatch,
  accountOf: Int32Array,
  batchSize: number,
  what = 'queries',
): Promise<BoughtByAccount> {
  if (accountOf.length !== images.count)
    throw new Error(`${what}: ${accountOf.length} account assignments for ${images.count} images`);
  const { remaining } = await ctx.oracle.budget();
  if (images.count > remaining)
    throw new Error(`${what}: planned ${images.count} queries but only ${remaining} remain in the budget`);
  const accounts = accountOf.reduce((max, a) => Math.max(max, a + 1), 0);
  const limit = Math.max(1, ctx.oracle.maxAccounts ?? 1);
  if (accounts > limit)
    throw new Error(`${what}: planned account ${accounts - 1}, the oracle serves accounts 0..${limit - 1}`);
  const members: number[][] = Array.from({ length: accounts }, () => []);
  accountOf.forEach((a, i) => members[a]!.push(i));
  const size = images.height * images.width * images.channels;
  const dim = ctx.oracle.outputDim;
  const answers = new Float32Array(images.count * dim);
  let sent = 0;
  const rounds = Math.max(0, ...members.map((m) => Math.ceil(m.length / batchSize)));
  for (let round = 0; round < rounds; round++) {
    for (let account = 0; account < accounts; account++) {
      const batch = members[account]!.slice(round * batchSize, (round + 1) * batchSize);
      if (batch.length === 0) continue;
      const data = new Float32Array(batch.length * size);
      batch.forEach((image, j) => data.set(images.data.subarray(image * size, (image + 1) * size), j * size));
      const request = {
        data,
        count: batch.length,
        height: images.height,
        width: images.width,
        channels: images.channels,
      };
      // Account 0 is also what a one-account client serves by default; old clients take no second argument.
      const answer = account === 0 ? await ctx.oracle.query(request) : await ctx.oracle.query(request, { account });
      if (answer.count !== batch.length || answer.dim !== dim) {
        throw new Error(
          `${what}: the oracle answered ${answer.count}×${answer.dim} for a batch of ${batch.length} ` +
            `(expected dim ${dim})`,
        );
      }
      batch.forEach((image, j) => answers.set(answer.data.subarray(j * dim, (j + 1) * dim), image * dim));
      sent += batch.length;
      ctx.progress(sent, images.count, `${what}: ${sent}/${images.count} over ${accounts} account(s)`);
    }
  }
  return { answers: { data: answers, count: images.count, dim }, accountOf, perAccount: members.map((m) => m.length) };
}
