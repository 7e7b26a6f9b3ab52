// Section "Provenance": what produced these records — harness versions, the span of start times, backends, Node
// versions, seeds, data sources and plugin content hashes — read from the records alone (no clock, no environment),
// so rendering the same records twice gives the same text.
import type { CellRecord } from '../runner/record.ts';
import { stateSummary } from './format.ts';

const distinct = (values: Iterable<string>) => [...new Set(values)].sort();
const list = (values: string[]) => (values.length === 0 ? '—' : values.map((v) => `\`${v}\``).join(', '));

export function provenanceSection(records: readonly CellRecord[]): string {
  const starts = records
    .map((r) => r.provenance.startedAt)
    .filter((s) => typeof s === 'string' && s.length > 0)
    .sort();
  const seeds = [...new Set(records.map((r) => r.cell.seed))].sort((a, b) => a - b);
  const hashes = new Map<string, Set<string>>();
  for (const r of records) {
    for (const [id, hash] of Object.entries(r.provenance.pluginHashes ?? {}))
      hashes.set(id, (hashes.get(id) ?? new Set()).add(hash));
  }
  const hashLines = [...hashes.keys()].sort().map((id) => {
    const set = distinct(hashes.get(id) ?? []);
    // More than one hash for a plugin means records from different versions of it were merged: worth seeing.
    return set.length === 1 ? `\`${id}\` ${set[0]}` : `\`${id}\` ${set.length} different hashes: ${set.join(', ')}`;
  });
  const lines = [
    `- Records: ${records.length}${records.length ? ` (${stateSummary(records.map((r) => r.state))})` : ''}`,
    `- Harness version: ${list(distinct(records.map((r) => r.provenance.harnessVersion)))}`,
    `- Runs started: ${starts.length === 0 ? '—' : starts[0] === starts[starts.length - 1] ? starts[0] : `${starts[0]} to ${starts[starts.length - 1]}`}`,
    `- Backends: ${list(distinct(records.map((r) => r.provenance.backend)))}`,
    `- Node: ${list(distinct(records.map((r) => r.provenance.node)))}`,
    `- Seeds: ${seeds.length === 0 ? '—' : seeds.join(', ')}`,
    `- Data sources: ${list(distinct(records.flatMap((r) => (r.provenance.dataSource ? [r.provenance.dataSource] : []))))}`,
  ];
  if (hashLines.length > 0) lines.push(`- Plugin and victim hashes: ${hashLines.join('; ')}`);
  return lines.join('\n');
}
