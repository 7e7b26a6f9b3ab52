// Renders the victims evaluation as the Markdown table of victims/README.md and splices it between the markers
// `<!-- victims-table:start -->` and `<!-- victims-table:end -->`, with the command, date and backend beside it.
import { markdownTable } from 'markdown-table';
import type { VictimsEvaluation } from './evaluate.ts';

export const TABLE_START = '<!-- victims-table:start -->';
export const TABLE_END = '<!-- victims-table:end -->';

const TASK_TITLES: Record<string, string> = { fmnist: 'Fashion-MNIST', digits: 'digits (MNIST)', cifar10: 'CIFAR-10' };

const pct = (x: number | undefined) => (x === undefined ? '—' : `${(x * 100).toFixed(2)}%`);

export function renderVictimsTable(e: VictimsEvaluation, command: string): string {
  const header = ['encoder', 'method', ...e.tasks.map((t) => `${TASK_TITLES[t] ?? t} top-1`), 'weights'];
  const rows = e.victims.map((v) => [
    `\`${v.id}\``, v.method, ...e.tasks.map((t) => pct(v.accuracy[t])), v.source === 'missing' || v.source === 'failed' ? (v.note ?? v.source) : v.source,
  ]);
  const baselineRows = e.baselines.map((b) => [`*baseline:* ${b.label}`, '—', ...e.tasks.map((t) => pct(b.accuracy[t])), '—']);
  const table = markdownTable([header, ...rows, ...baselineRows], { align: ['l', 'l', ...e.tasks.map(() => 'r' as const), 'l'] });
  const verdict = e.failures.length === 0
    ? 'Every evaluated SSL victim beats both baselines on Fashion-MNIST.'
    : `**Not beating both baselines on Fashion-MNIST:** ${e.failures.map((id) => `\`${id}\``).join(', ')}.`;
  return [
    `Produced by \`${command}\` on ${e.generatedAt.slice(0, 10)} (tfjs backend \`${e.backend}\`). Linear probe: frozen`,
    'features, standardised, softmax regression from zero, Adam 1e-3, 100 epochs, batch 256, seed 0 (`benchmark/nn/probe.ts`);',
    'train on `<task>/probe-train`, top-1 on `<task>/probe-test`.',
    '',
    table,
    '',
    verdict,
  ].join('\n');
}

/** `readme` with the block between the markers replaced (markers appended at the end when absent). */
export function spliceTable(readme: string, block: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  const inner = `${TABLE_START}\n${block}\n${TABLE_END}`;
  if (start === -1 || end === -1 || end < start) return `${readme.trimEnd()}\n\n${inner}\n`;
  return `${readme.slice(0, start)}${inner}${readme.slice(end + TABLE_END.length)}`;
}
