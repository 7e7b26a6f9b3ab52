// The victim API: the deployed encoder behind an optional defense guard, serving accounts with query budgets
// (paper section 3.1: the attacker sends images and reads back representations, nothing else).
//
// Rules it enforces, in this order, for every batch:
//   1. the account exists and the batch is well formed (shape, type, finite pixels in [0, 1]) — else a typed error;
//   2. the whole batch fits in what remains of the budget — else `QueryBudgetExceededError`; repeated images count;
//   3. the budget is reserved synchronously (so concurrent batches cannot both slip under the limit), the victim
//      computes the clean answer, the guard turns it into what the account receives;
//   4. the batch is logged (time, count, per-image hashes, what the guard did) and only then counted as answered.
// If anything fails after the reservation, the reservation is released: a refused or failed batch costs nothing.
// Invariant: for every account, answered images == sum of its audit entries' counts <= budget.
import type {
  BudgetState,
  Guard,
  GuardResponse,
  ImageBatch,
  OracleClient,
  OracleOutput,
  QueryAnswer,
  VictimDeployment,
  Vectors,
} from '../plugin/types.ts';
import { GuardAnswerError, OracleConfigError, QueryBudgetExceededError, UnknownAccountError } from './errors.ts';
import { hashImages } from './image-hash.ts';
import { validateBatch } from './validate.ts';

export type AccountRole = 'attacker' | 'legitimate';

export interface OracleOptions {
  deployment: VictimDeployment;
  /** What the API returns (default 'representation'). */
  output?: OracleOutput;
  /** The defense in front of the victim; absent = undefended. */
  guard?: Guard;
  /** Clock for the audit log, epoch milliseconds (default Date.now); injectable for deterministic tests. */
  now?: () => number;
}

/** One answered batch. */
export interface AuditEntry {
  /** Global order of answered batches across accounts. */
  seq: number;
  account: string;
  /** Epoch ms when the batch was answered. */
  time: number;
  count: number;
  /** One content hash per image (see image-hash.ts), to count duplicates later. */
  hashes: string[];
  /** What the guard did: per-image flags, note, imposed cost. Absent when the oracle runs undefended. */
  guard?: { flagged?: boolean[]; flaggedCount: number; note?: string; cost?: GuardResponse['cost'] };
}

/** A batch that was refused (costs nothing; kept so scoring can see that an account tried). */
export interface Refusal {
  account: string;
  time: number;
  requested: number;
  code: string;
  message: string;
}

export interface AccountSummary {
  id: string;
  role: AccountRole;
  budget: BudgetState;
  /** Images answered (== the audit log's total for this account). */
  answered: number;
  batches: number;
  refusals: number;
  flaggedImages: number;
  /** Distinct image hashes among the answered images. */
  distinctImages: number;
}

export interface Oracle {
  readonly output: OracleOutput;
  readonly inputShape: readonly [number, number, number];
  /** Length of each clean answer vector (a guard may change it, e.g. top-k). */
  readonly outputDim: number;
  openAccount(id: string, budget: number, role: AccountRole): AccountSummary;
  budget(account: string): BudgetState;
  query(account: string, images: ImageBatch): Promise<QueryAnswer>;
  /** Answered batches, in answer order; all accounts when `account` is omitted. */
  audit(account?: string): AuditEntry[];
  refusals(account?: string): Refusal[];
  accounts(): AccountSummary[];
  /** An in-process `OracleClient` bound to one account (the attack process gets an IPC twin of it). */
  client(account: string): OracleClient;
}

interface Account {
  id: string;
  role: AccountRole;
  total: number;
  answered: number;
  /** Images of batches accepted but not yet answered. */
  reserved: number;
  entries: AuditEntry[];
  refusals: Refusal[];
  hashes: Set<string>;
}

function argmaxRows(v: Vectors): Int32Array {
  const labels = new Int32Array(v.count);
  for (let r = 0; r < v.count; r++) {
    let best = 0;
    for (let c = 1; c < v.dim; c++) if (v.data[r * v.dim + c]! > v.data[r * v.dim + best]!) best = c;
    labels[r] = best;
  }
  return labels;
}

function checkVectors(v: Vectors, count: number, who: string): void {
  if (!v || !(v.data instanceof Float32Array) || v.count !== count || !Number.isInteger(v.dim) || v.data.length !== count * v.dim) {
    throw new GuardAnswerError(
      `${who} returned ${v ? `count ${v.count}, dim ${v.dim}, data length ${v.data?.length}` : String(v)} for a batch of ${count} image(s); ` +
        'expected Vectors with count equal to the batch and data.length = count × dim.',
    );
  }
}

function outputDimOf(deployment: VictimDeployment, output: OracleOutput): number {
  const where = `victim deployment "${deployment.id}"`;
  switch (output) {
    case 'representation':
      return deployment.representationDim;
    case 'projection':
      if (!deployment.project) throw new OracleConfigError(`Oracle output 'projection' needs a projection head, but ${where} has no project().`);
      if (!deployment.projectionDim) throw new OracleConfigError(`Oracle output 'projection' needs ${where} to declare projectionDim.`);
      return deployment.projectionDim;
    case 'label':
      if (!deployment.classify) throw new OracleConfigError(`Oracle output 'label' needs a downstream classifier, but ${where} has no classify().`);
      if (!deployment.classCount) throw new OracleConfigError(`Oracle output 'label' needs ${where} to declare classCount.`);
      return deployment.classCount;
    default:
      throw new OracleConfigError(`Unknown oracle output ${JSON.stringify(output)}: expected 'representation', 'projection' or 'label'.`);
  }
}

export function createOracle(options: OracleOptions): Oracle {
  const { deployment, guard } = options;
  const output = options.output ?? 'representation';
  const now = options.now ?? Date.now;
  const outputDim = outputDimOf(deployment, output);
  const inputShape = deployment.inputShape;
  const accounts = new Map<string, Account>();
  const log: AuditEntry[] = [];
  let seq = 0;

  function get(id: string): Account {
    const account = accounts.get(id);
    if (!account) throw new UnknownAccountError(id);
    return account;
  }

  function budgetOf(a: Account): BudgetState {
    const used = a.answered + a.reserved;
    return { total: a.total, used, remaining: a.total - used };
  }

  function summary(a: Account): AccountSummary {
    let flaggedImages = 0;
    for (const e of a.entries) flaggedImages += e.guard?.flaggedCount ?? 0;
    return {
      id: a.id,
      role: a.role,
      budget: budgetOf(a),
      answered: a.answered,
      batches: a.entries.length,
      refusals: a.refusals.length,
      flaggedImages,
      distinctImages: a.hashes.size,
    };
  }

  /** The undefended answer, plus labels for the label API. */
  async function clean(images: ImageBatch): Promise<{ vectors: Vectors; labels?: Int32Array }> {
    if (output === 'label') {
      const result = await deployment.classify!(images);
      checkVectors(result.scores, images.count, `victim "${deployment.id}" classify()`);
      return { vectors: result.scores, labels: result.labels };
    }
    const representations = await deployment.encode(images);
    checkVectors(representations, images.count, `victim "${deployment.id}" encode()`);
    if (output === 'representation') return { vectors: representations };
    const projections = await deployment.project!(representations);
    checkVectors(projections, images.count, `victim "${deployment.id}" project()`);
    return { vectors: projections };
  }

  async function query(accountId: string, images: ImageBatch): Promise<QueryAnswer> {
    const account = get(accountId);
    validateBatch(images, inputShape);
    const count = images.count;
    const remaining = budgetOf(account).remaining;
    if (count > remaining) {
      const error = new QueryBudgetExceededError(accountId, count, remaining);
      account.refusals.push({ account: accountId, time: now(), requested: count, code: error.code, message: error.message });
      throw error;
    }
    // Snapshot the batch: the caller may reuse its buffer while we await the victim.
    const batch: ImageBatch = { ...images, data: images.data.slice() };
    const hashes = hashImages(batch);
    account.reserved += count;
    try {
      const result = await clean(batch);
      let response: GuardResponse = { answer: result.vectors };
      if (guard) {
        response = await guard.answer({ account: accountId, images: batch, clean: result.vectors, output });
        checkVectors(response.answer, count, 'the defense guard');
        if (response.flagged && response.flagged.length !== count) {
          throw new GuardAnswerError(`the defense guard flagged ${response.flagged.length} image(s) for a batch of ${count}.`);
        }
      }
      const answer: QueryAnswer = { data: response.answer.data, count, dim: response.answer.dim };
      if (output === 'label') {
        answer.labels = response.labels ?? (response.answer === result.vectors ? result.labels : undefined) ?? argmaxRows(response.answer);
      }
      const entry: AuditEntry = { seq: seq++, account: accountId, time: now(), count, hashes };
      if (guard) {
        const flaggedCount = response.flagged?.filter(Boolean).length ?? 0;
        entry.guard = { flaggedCount };
        if (response.flagged) entry.guard.flagged = response.flagged.slice();
        if (response.note !== undefined) entry.guard.note = response.note;
        if (response.cost !== undefined) entry.guard.cost = { ...response.cost };
      }
      // Log and count in the same synchronous step, so the invariant holds at every await point.
      account.reserved -= count;
      account.answered += count;
      account.entries.push(entry);
      log.push(entry);
      for (const h of hashes) account.hashes.add(h);
      return answer;
    } catch (error) {
      if (account.reserved >= count) account.reserved -= count;
      throw error;
    }
  }

  const oracle: Oracle = {
    output,
    inputShape,
    outputDim,
    openAccount(id, budget, role) {
      if (typeof id !== 'string' || id.length === 0) throw new OracleConfigError(`openAccount: id must be a non-empty string, found ${JSON.stringify(id)}.`);
      if (accounts.has(id)) throw new OracleConfigError(`openAccount: account "${id}" is already open.`);
      if (!Number.isInteger(budget) || budget < 0) {
        throw new OracleConfigError(`openAccount("${id}"): budget must be a non-negative integer number of images, found ${budget}.`);
      }
      if (role !== 'attacker' && role !== 'legitimate') {
        throw new OracleConfigError(`openAccount("${id}"): role must be 'attacker' or 'legitimate', found ${JSON.stringify(role)}.`);
      }
      const account: Account = { id, role, total: budget, answered: 0, reserved: 0, entries: [], refusals: [], hashes: new Set() };
      accounts.set(id, account);
      return summary(account);
    },
    budget: (id) => budgetOf(get(id)),
    query,
    audit: (id) => (id === undefined ? log.slice() : get(id).entries.slice()),
    refusals(id) {
      if (id !== undefined) return get(id).refusals.slice();
      return [...accounts.values()].flatMap((a) => a.refusals).sort((x, y) => x.time - y.time);
    },
    accounts: () => [...accounts.values()].map(summary),
    client(id) {
      get(id);
      return {
        output,
        inputShape,
        outputDim,
        budget: async () => budgetOf(get(id)),
        query: (images) => query(id, images),
      };
    },
  };
  return oracle;
}
