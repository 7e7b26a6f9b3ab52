// Public exports of the oracle: the victim API with budgets, its typed errors, query plans, and the attack's
// isolated process.
export {
  createOracle,
  type Oracle,
  type OracleOptions,
  type AccountRole,
  type AuditEntry,
  type Refusal,
  type AccountSummary,
  type AccountSet,
  type AccountSetOptions,
  type OracleFault,
} from './oracle.ts';
export { accountId, legitimateAccountId, openAttackerAccounts, MAX_ATTACKER_ACCOUNTS } from './accounts.ts';
export {
  legitimateSchedule,
  createLegitimateTraffic,
  interleavedClient,
  LEGITIMATE_BATCH_SIZES,
  type LegitimateStream,
  type LegitimateTraffic,
  type ScheduledBatch,
} from './interleave.ts';
export {
  OracleError,
  QueryBudgetExceededError,
  InvalidQueryError,
  UnknownAccountError,
  OracleConfigError,
  GuardAnswerError,
  GuardFailedError,
  VictimFailedError,
  serializeError,
  reviveError,
  type OracleErrorCode,
  type SerializedError,
} from './errors.ts';
export { validateBatch, validateGuardResponse, validateAccountReports, vectorsProblem } from './validate.ts';
export { hashImages } from './image-hash.ts';
export { queryPlan, takePlan, PoolTooSmallError, type QueryPlanOptions } from './pools.ts';
export {
  runAttackProcess,
  permissionFlags,
  type AttackProcessOptions,
  type AttackProcessResult,
  type AttackProcessError,
  type AttackProgress,
} from './attack-process.ts';
export type { AttackPhase } from './attack-protocol.ts';
export { createIpcOracleClient } from './ipc-client.ts';
export { answerOracleRequest } from './ipc-server.ts';
export { writePoolFile, readPoolFile } from './pool-file.ts';
