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
// Invariant: for every account, answered images == sum of its audit entries' counts; for every budget (one account's,
// or one shared by an account set such as a sybil attacker's accounts), the images answered on it <= its total.
//
// Faults are told apart from refusals: when the victim or the guard fails on a batch (throws, wrong shape, NaN or
// Infinity), the batch is refused uncharged AND the fault is kept (`faults()`), so the cell blames the party that
// failed even if the caller (an attack) catches the error and carries on.
import type {
  BudgetState,
  Guard,
  GuardResponse,
  ImageBatch,
  OracleClient,
  OracleOutput,
  QueryAnswer,
  QueryOptions,
  VictimDeployment,
  Vectors,
} from '../plugin/types.ts';
import {
  GuardAnswerError,
  GuardFailedError,
  InvalidQueryError,
  OracleConfigError,
  OracleError,
  QueryBudgetExceededError,
  UnknownAccountError,
  VictimFailedError,
} from './errors.ts';
import { hashImages } from './image-hash.ts';
import { validateBatch, validateGuardResponse, vectorsProblem } from './validate.ts';
import { capText } from '../util/cap-text.ts';

export type AccountRole = 'attacker' | 'legitimate';

export interface OracleOptions {
  deployment: VictimDeployment;
  /** What the API returns (default 'representation'). */
  output?: OracleOutput;
  /** The defense in front of the victim; absent = undefended. */
  guard?: Guard;
  /** Clock for the audit log, epoch milliseconds (default Date.now); injectable for deterministic tests. */
  now?: () => number;
  /**
   * The victim's undefended answers to images known in advance (the legitimate users' probe sets), by image hash
   * (see image-hash.ts). A batch's rows found here are not computed again; the defense sees exactly what it would
   * see otherwise (the images, the account, the clean answer). It only saves time: the users send tens of thousands
   * of images per cell, the same in every cell of a victim.
   */
  knownAnswers?: KnownAnswers;
}

/** Undefended answers by image hash; `labels` only for the label API. */
export interface KnownAnswers {
  vectors: ReadonlyMap<string, Float32Array>;
  labels?: ReadonlyMap<string, number>;
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

/** A victim or defense failure seen while answering a batch (the batch was refused and not charged). */
export interface OracleFault {
  party: 'victim' | 'defense';
  account: string;
  /** Capped (see util/cap-text.ts): the text may come from a plugin. */
  message: string;
}

export interface AccountSetOptions {
  role: AccountRole;
  /** Images all the set's accounts may query together. */
  budget: number;
  /** Indices 0 … maxAccounts-1 may be used. */
  maxAccounts: number;
  /** The account id of index `index` (opaque, unique): called once per index, on its first use. */
  idOf(index: number): string;
}

/** Accounts of one party (e.g. a sybil attacker) that share one budget; each opened on first use of its index. */
export interface AccountSet {
  readonly role: AccountRole;
  readonly maxAccounts: number;
  /** The id of account `index`, opening it first if needed. Throws `InvalidQueryError` for an index out of range. */
  account(index: number): string;
  /** Ids of the accounts opened so far, in order of first use. */
  opened(): string[];
  budget(): BudgetState;
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
  /** Accounts sharing one budget, opened lazily by index (the attacker's sybil accounts). */
  openAccountSet(options: AccountSetOptions): AccountSet;
  budget(account: string): BudgetState;
  query(account: string, images: ImageBatch): Promise<QueryAnswer>;
  /** Answered batches, in answer order; all accounts when `account` is omitted. */
  audit(account?: string): AuditEntry[];
  refusals(account?: string): Refusal[];
  accounts(): AccountSummary[];
  /** Victim and defense failures seen so far, in order. */
  faults(): OracleFault[];
  /**
   * An in-process `OracleClient` bound to one account (maxAccounts 1) or to an account set (the attack process gets
   * an IPC twin of it).
   */
  client(account: string | AccountSet): OracleClient;
}

/** Images a budget allows, and those answered or reserved on it (shared by every account of an account set). */
interface BudgetPool {
  total: number;
  answered: number;
  /** Images of batches accepted but not yet answered. */
  reserved: number;
}

interface Account {
  id: string;
  role: AccountRole;
  pool: BudgetPool;
  /** Images answered on this account (its pool may count other accounts' too). */
  answered: number;
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

/** The rows at `indices` (ascending) of a batch, copied. */
function selectRows(images: ImageBatch, indices: readonly number[]): ImageBatch {
  const size = images.height * images.width * images.channels;
  const data = new Float32Array(indices.length * size);
  indices.forEach((index, i) => data.set(images.data.subarray(index * size, (index + 1) * size), i * size));
  return { ...images, data, count: indices.length };
}

function checkVictimVectors(v: Vectors, count: number, who: string): void {
  const problem = vectorsProblem(v, count);
  if (problem) throw new VictimFailedError(`${who} returned an invalid answer: ${problem}.`);
}

function outputDimOf(deployment: VictimDeployment, output: OracleOutput): number {
  const where = `victim deployment "${deployment.id}"`;
  switch (output) {
    case 'representation':
      return deployment.representationDim;
    case 'projection':
      if (!deployment.project)
        throw new OracleConfigError(
          `Oracle output 'projection' needs a projection head, but ${where} has no project().`,
        );
      if (!deployment.projectionDim)
        throw new OracleConfigError(`Oracle output 'projection' needs ${where} to declare projectionDim.`);
      return deployment.projectionDim;
    case 'label':
      if (!deployment.classify)
        throw new OracleConfigError(
          `Oracle output 'label' needs a downstream classifier, but ${where} has no classify().`,
        );
      if (!deployment.classCount)
        throw new OracleConfigError(`Oracle output 'label' needs ${where} to declare classCount.`);
      return deployment.classCount;
    default:
      throw new OracleConfigError(
        `Unknown oracle output ${JSON.stringify(output)}: expected 'representation', 'projection' or 'label'.`,
      );
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
  const faults: OracleFault[] = [];
  let seq = 0;

  function get(id: string): Account {
    const account = accounts.get(id);
    if (!account) throw new UnknownAccountError(id);
    return account;
  }

  function poolState(pool: BudgetPool): BudgetState {
    const used = pool.answered + pool.reserved;
    return { total: pool.total, used, remaining: pool.total - used };
  }
  const budgetOf = (a: Account) => poolState(a.pool);

  function checkBudget(owner: string, budget: number): void {
    if (!Number.isInteger(budget) || budget < 0) {
      throw new OracleConfigError(`${owner}: budget must be a non-negative integer number of images, found ${budget}.`);
    }
  }

  function open(id: string, pool: BudgetPool, role: AccountRole): Account {
    if (typeof id !== 'string' || id.length === 0)
      throw new OracleConfigError(`openAccount: id must be a non-empty string, found ${JSON.stringify(id)}.`);
    if (accounts.has(id)) throw new OracleConfigError(`openAccount: account "${id}" is already open.`);
    if (role !== 'attacker' && role !== 'legitimate') {
      throw new OracleConfigError(
        `openAccount("${id}"): role must be 'attacker' or 'legitimate', found ${JSON.stringify(role)}.`,
      );
    }
    const account: Account = { id, role, pool, answered: 0, entries: [], refusals: [], hashes: new Set() };
    accounts.set(id, account);
    return account;
  }

  /** Keeps the fault and gives the typed error the caller receives. */
  function fault(party: OracleFault['party'], account: string, error: unknown): OracleError {
    const typed =
      error instanceof VictimFailedError || error instanceof GuardAnswerError
        ? error
        : party === 'victim'
          ? new VictimFailedError(`victim "${deployment.id}" failed on a batch: ${capText(errorText(error))}`)
          : new GuardFailedError(`the defense guard threw on a batch: ${capText(errorText(error))}`);
    faults.push({ party, account, message: capText(typed.message) });
    return typed;
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

  /** The undefended answer, plus labels for the label API: known rows from `knownAnswers`, the rest computed. */
  async function clean(
    images: ImageBatch,
    hashes: readonly string[],
  ): Promise<{ vectors: Vectors; labels?: Int32Array }> {
    const known = options.knownAnswers;
    const missing: number[] = [];
    for (let i = 0; i < images.count; i++) {
      if (!known?.vectors.has(hashes[i]!) || (output === 'label' && !known.labels?.has(hashes[i]!))) missing.push(i);
    }
    if (missing.length === images.count) return computeClean(images);
    const computed = missing.length > 0 ? await computeClean(selectRows(images, missing)) : undefined;
    const data = new Float32Array(images.count * outputDim);
    const labels = output === 'label' ? new Int32Array(images.count) : undefined;
    let next = 0;
    for (let i = 0; i < images.count; i++) {
      if (next < missing.length && missing[next] === i) {
        data.set(computed!.vectors.data.subarray(next * outputDim, (next + 1) * outputDim), i * outputDim);
        if (labels) labels[i] = computed!.labels![next]!;
        next++;
        continue;
      }
      const row = known!.vectors.get(hashes[i]!)!;
      if (row.length !== outputDim) {
        throw new VictimFailedError(`a known answer has ${row.length} values, the API answers ${outputDim}`);
      }
      data.set(row, i * outputDim);
      if (labels) labels[i] = known!.labels!.get(hashes[i]!)!;
    }
    return { vectors: { data, count: images.count, dim: outputDim }, ...(labels ? { labels } : {}) };
  }

  async function computeClean(images: ImageBatch): Promise<{ vectors: Vectors; labels?: Int32Array }> {
    if (output === 'label') {
      const result = await deployment.classify!(images);
      checkVictimVectors(result.scores, images.count, `victim "${deployment.id}" classify()`);
      return { vectors: result.scores, labels: result.labels };
    }
    const representations = await deployment.encode(images);
    checkVictimVectors(representations, images.count, `victim "${deployment.id}" encode()`);
    if (output === 'representation') return { vectors: representations };
    const projections = await deployment.project!(representations);
    checkVictimVectors(projections, images.count, `victim "${deployment.id}" project()`);
    return { vectors: projections };
  }

  async function query(accountId: string, images: ImageBatch): Promise<QueryAnswer> {
    const account = get(accountId);
    validateBatch(images, inputShape);
    const count = images.count;
    const remaining = budgetOf(account).remaining;
    if (count > remaining) {
      const error = new QueryBudgetExceededError(accountId, count, remaining);
      account.refusals.push({
        account: accountId,
        time: now(),
        requested: count,
        code: error.code,
        message: error.message,
      });
      throw error;
    }
    // Snapshot the batch: the caller may reuse its buffer while we await the victim.
    const batch: ImageBatch = { ...images, data: images.data.slice() };
    const hashes = hashImages(batch);
    const pool = account.pool;
    pool.reserved += count;
    try {
      let result: Awaited<ReturnType<typeof clean>>;
      try {
        result = await clean(batch, hashes);
      } catch (error) {
        throw fault('victim', accountId, error);
      }
      let response: GuardResponse = { answer: result.vectors };
      if (guard) {
        try {
          const returned: unknown = await guard.answer({
            account: accountId,
            images: batch,
            clean: result.vectors,
            output,
          });
          validateGuardResponse(returned, count);
          response = returned;
        } catch (error) {
          throw fault('defense', accountId, error);
        }
      }
      const answer: QueryAnswer = { data: response.answer.data, count, dim: response.answer.dim };
      if (output === 'label') {
        answer.labels =
          response.labels ??
          (response.answer === result.vectors ? result.labels : undefined) ??
          argmaxRows(response.answer);
      }
      const entry: AuditEntry = { seq: seq++, account: accountId, time: now(), count, hashes };
      if (guard) {
        const flaggedCount = response.flagged?.filter(Boolean).length ?? 0;
        entry.guard = { flaggedCount };
        if (response.flagged) entry.guard.flagged = response.flagged.slice();
        if (response.note !== undefined) entry.guard.note = capText(response.note, 200);
        if (response.cost !== undefined) entry.guard.cost = { ...response.cost };
      }
      // Log and count in the same synchronous step, so the invariant holds at every await point.
      pool.reserved -= count;
      pool.answered += count;
      account.answered += count;
      account.entries.push(entry);
      log.push(entry);
      for (const h of hashes) account.hashes.add(h);
      return answer;
    } catch (error) {
      if (pool.reserved >= count) pool.reserved -= count;
      throw error;
    }
  }

  function openAccountSet(options: AccountSetOptions): AccountSet {
    const { role, maxAccounts, idOf } = options;
    checkBudget('openAccountSet', options.budget);
    if (!Number.isInteger(maxAccounts) || maxAccounts < 1) {
      throw new OracleConfigError(`openAccountSet: maxAccounts must be a positive integer, found ${maxAccounts}.`);
    }
    const pool: BudgetPool = { total: options.budget, answered: 0, reserved: 0 };
    const byIndex = new Map<number, string>();
    return {
      role,
      maxAccounts,
      account(index) {
        if (!Number.isInteger(index) || index < 0 || index >= maxAccounts) {
          throw new InvalidQueryError(
            'options.account',
            `an integer account index in 0 … ${maxAccounts - 1}`,
            describeIndex(index),
          );
        }
        let id = byIndex.get(index);
        if (id === undefined) {
          id = idOf(index);
          open(id, pool, role);
          byIndex.set(index, id);
        }
        return id;
      },
      opened: () => [...byIndex.values()],
      budget: () => poolState(pool),
    };
  }

  function client(target: string | AccountSet): OracleClient {
    const set: AccountSet =
      typeof target === 'string'
        ? {
            role: get(target).role,
            maxAccounts: 1,
            account: (index) => singleAccount(target, index),
            opened: () => [target],
            budget: () => budgetOf(get(target)),
          }
        : target;
    return Object.freeze({
      output,
      inputShape,
      outputDim,
      maxAccounts: set.maxAccounts,
      budget: async () => set.budget(),
      query: async (images: ImageBatch, options?: QueryOptions) => {
        if (options !== undefined && (typeof options !== 'object' || options === null)) {
          throw new InvalidQueryError('options', 'an object { account?: number } or undefined', describeIndex(options));
        }
        return query(set.account(options?.account ?? 0), images);
      },
    });
  }

  const oracle: Oracle = {
    output,
    inputShape,
    outputDim,
    openAccount(id, budget, role) {
      if (!accounts.has(id)) checkBudget(`openAccount(${JSON.stringify(id)})`, budget);
      return summary(open(id, { total: budget, answered: 0, reserved: 0 }, role));
    },
    openAccountSet,
    budget: (id) => budgetOf(get(id)),
    query,
    audit: (id) => (id === undefined ? log.slice() : get(id).entries.slice()),
    refusals(id) {
      if (id !== undefined) return get(id).refusals.slice();
      return [...accounts.values()].flatMap((a) => a.refusals).sort((x, y) => x.time - y.time);
    },
    accounts: () => [...accounts.values()].map(summary),
    faults: () => faults.slice(),
    client(target) {
      if (typeof target === 'string') get(target);
      return client(target);
    },
  };
  return oracle;
}

function singleAccount(id: string, index: number): string {
  if (index !== 0)
    throw new InvalidQueryError('options.account', '0 (this client has one account)', describeIndex(index));
  return id;
}

function describeIndex(value: unknown): string {
  const text = typeof value === 'object' && value !== null ? 'an object' : String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
