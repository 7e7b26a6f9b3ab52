// Public exports of the paper-findings checker (`stealbench claims`).
export { evaluateFindings, FINDINGS, CLAIMS_CONFIG, DEFAULT_VICTIM, type FindingRow, type Unit } from './findings.ts';
export { renderFindings, oursText, verdictCounts } from './render.ts';
export { verdictOf, RULE, type Verdict, type PaperSide } from './verdict.ts';
