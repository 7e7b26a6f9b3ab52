// Typed errors of the victim API. Each carries a stable `code` string and plain-data details, so that an error thrown
// by the oracle in the harness process can be sent over IPC to the attack's process and re-created there as the same
// class (`serializeOracleError` / `reviveOracleError`): an attack can `catch (e) { if (e instanceof
// QueryBudgetExceededError) … }` whichever side of the process boundary it runs on.

export type OracleErrorCode =
  | 'QUERY_BUDGET_EXCEEDED'
  | 'INVALID_QUERY'
  | 'UNKNOWN_ACCOUNT'
  | 'ORACLE_CONFIG'
  | 'GUARD_INVALID_ANSWER'
  | 'GUARD_FAILED'
  | 'VICTIM_FAILED'
  | 'ORACLE_ERROR';

/** Base class: every error the oracle throws on purpose. */
export class OracleError extends Error {
  readonly code: OracleErrorCode;
  constructor(code: OracleErrorCode, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
  /** Plain-data fields that re-create the error on the other side of IPC. */
  details(): Record<string, unknown> {
    return {};
  }
}

/** The batch would take the account past its budget. Nothing was charged, nothing answered. */
export class QueryBudgetExceededError extends OracleError {
  constructor(
    readonly account: string,
    readonly requested: number,
    readonly remaining: number,
  ) {
    super(
      'QUERY_BUDGET_EXCEEDED',
      `Query budget exceeded for account "${account}": the batch asks for ${requested} image(s) but only ` +
        (`${remaining} quer${remaining === 1 ? 'y remains' : 'ies remain'}. The ` +
          `batch was refused whole and nothing was charged.`),
    );
  }
  override details() {
    return { account: this.account, requested: this.requested, remaining: this.remaining };
  }
}

/** The batch is malformed. Nothing was charged. `field` names what was wrong, e.g. `images.data[12]`. */
export class InvalidQueryError extends OracleError {
  constructor(
    readonly field: string,
    readonly expected: string,
    readonly found: string,
  ) {
    super('INVALID_QUERY', `Invalid query: ${field} must be ${expected}, found ${found}. Nothing was charged.`);
  }
  override details() {
    return { field: this.field, expected: this.expected, found: this.found };
  }
}

export class UnknownAccountError extends OracleError {
  constructor(readonly account: string) {
    super('UNKNOWN_ACCOUNT', `Unknown oracle account "${account}": open it with openAccount(id, budget, role) first.`);
  }
  override details() {
    return { account: this.account };
  }
}

/** The oracle was set up wrongly (e.g. output 'projection' on a deployment without a head). */
export class OracleConfigError extends OracleError {
  constructor(message: string) {
    super('ORACLE_CONFIG', message);
  }
}

/** The defense's guard returned an answer that does not fit the batch. The batch is refused and not charged. */
export class GuardAnswerError extends OracleError {
  constructor(message: string) {
    super('GUARD_INVALID_ANSWER', message);
  }
}

/** The defense's guard threw while answering a batch: refused and not charged; the cell blames the defense. */
export class GuardFailedError extends OracleError {
  constructor(message: string) {
    super('GUARD_FAILED', message);
  }
}

/** The victim failed on a batch (threw, wrong shape, NaN): refused and not charged; the cell blames the victim. */
export class VictimFailedError extends OracleError {
  constructor(message: string) {
    super('VICTIM_FAILED', message);
  }
}

export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  details?: Record<string, unknown>;
  stack?: string;
}

/** Any thrown value → plain data that survives structured clone / JSON. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof OracleError) {
    return { name: error.name, message: error.message, code: error.code, details: error.details(), stack: error.stack };
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: error.message,
      code: typeof code === 'string' ? code : undefined,
      stack: error.stack,
    };
  }
  return { name: 'Error', message: String(error) };
}

/** Re-creates the typed oracle error from its serialized form; other errors come back as `Error` with `code` kept. */
export function reviveError(data: SerializedError): Error {
  const d = data.details ?? {};
  let error: Error;
  switch (data.code) {
    case 'QUERY_BUDGET_EXCEEDED':
      error = new QueryBudgetExceededError(String(d.account), Number(d.requested), Number(d.remaining));
      break;
    case 'INVALID_QUERY':
      error = new InvalidQueryError(String(d.field), String(d.expected), String(d.found));
      break;
    case 'UNKNOWN_ACCOUNT':
      error = new UnknownAccountError(String(d.account));
      break;
    case 'ORACLE_CONFIG':
      error = new OracleConfigError(data.message);
      break;
    case 'GUARD_INVALID_ANSWER':
      error = new GuardAnswerError(data.message);
      break;
    case 'GUARD_FAILED':
      error = new GuardFailedError(data.message);
      break;
    case 'VICTIM_FAILED':
      error = new VictimFailedError(data.message);
      break;
    default: {
      error = new Error(data.message);
      error.name = data.name;
      if (data.code !== undefined) (error as Error & { code?: string }).code = data.code;
    }
  }
  if (data.stack !== undefined) error.stack = data.stack;
  return error;
}
