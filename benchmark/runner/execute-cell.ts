// PLACEHOLDER — the real cell executor (train or load the victim, start the oracle behind the defense, run the
// attack in its own process, score) is integrated by the lead. Until then every cell is recorded as failed with a
// clear reason, so that no run ever shows numbers that were not measured.
import type { ExecuteCell } from './executor.ts';

export const executeCell: ExecuteCell = async () => ({
  state: 'failed',
  error: { message: 'cell executor not wired yet (benchmark/runner/execute-cell.ts is a placeholder)', phase: 'worker' },
});
