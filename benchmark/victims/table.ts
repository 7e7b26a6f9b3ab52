// Renders the victims evaluation as the Markdown table of victims/README.md and splices it between the markers
// `<!-- victims-table:start -->` and `<!-- victims-table:end -->`, with the command, date and backend beside it.
import { markdownTable } from 'markdown-table';
import type { VictimsEvaluation } from './evaluate.ts';

export const TABLE_START = '<!-- victims-table:start -->';
export const TABLE_END = '<!-- victims-table:end -->';

const TASK_TITLES: Record<string, string> = { fmnist: 'Fashion-MNIST', digits: 'digits (MNIST)', cifar10: 'CIFAR-10' };

const pct = (x: number | undefined) => (x === undefined ? '—' : `${(x * 100).toFixed(2)}%`);
const withSd = (x: number | undefined, sd: number | undefined) =>
  x === undefined || sd === undefined ? pct(x) : `${pct(x)} ± ${(sd * 100).toFixed(2)}`;
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(2)}`;

function hours(seconds: number | undefined): string {
  if (seconds === undefined) return '';
  return seconds >= 3600 ? `, ${(seconds / 3600).toFixed(1)} h so far` : `, ${Math.round(seconds / 60)} min so far`;
}

function randomNote(e: VictimsEvaluation): string {
  const counts = e.baselines.flatMap((b) => Object.values(b.inits ?? {}));
  if (counts.length === 0) return '';
  const n = Math.min(...counts);
  return ` Random weights: mean ± sample sd over ${n} inits (encoder seeds 0–${n - 1}).`;
}

/** The independent encoders' similarity to their victims: what a stolen copy's CKA and cosine are read against. */
function fidelityLines(e: VictimsEvaluation): string[] {
  const rows = e.victims.filter((v) => v.fidelity);
  if (rows.length === 0) return [];
  const line = (v: (typeof rows)[number]) => {
    const f = v.fidelity!;
    return `- \`${v.id}\` to \`${f.to}\` on \`${f.split}\`: linear CKA ${f.cka.toFixed(3)}${f.cosine !== undefined ? `, mean cosine ${f.cosine.toFixed(3)}` : ''}`;
  };
  return [
    '',
    "Independent encoders against their victims (the values a stolen copy's CKA and cosine must be read beside):",
    '',
    ...rows.map(line),
  ];
}

/** One line per victim being retrained (`next`): how far, and its accuracy once finished. */
function nextLines(e: VictimsEvaluation): string[] {
  const rows = e.victims.filter((v) => v.next);
  if (rows.length === 0) return [];
  const line = (v: (typeof rows)[number]) => {
    const n = v.next!;
    const what = `\`${v.id}\` → ${n.arch}, hash \`${n.hash.slice(0, 12)}\``;
    if (n.status === 'finished') {
      const acc = e.tasks
        .filter((t) => n.accuracy?.[t] !== undefined)
        .map((t) => `${TASK_TITLES[t] ?? t} ${pct(n.accuracy![t])}`);
      return (
        `- ${what}: finished (${n.epochs} epochs${hours(n.trainingSeconds).replace(' so far', '')}); ` +
        `${acc.join(', ')}`
      );
    }
    const steps = n.steps !== undefined ? ` (step ${n.steps})` : '';
    const training = `training, ${n.epoch} of ${n.epochs} epochs done${steps}${hours(n.trainingSeconds)}`;
    return `- ${what}: ${n.status === 'training' ? training : `not started (${n.epochs} epochs)`}`;
  };
  return [
    '',
    "Being retrained (the `next` recipe in the victim's `index.ts`; `stealbench train-victim <id> --next --resume`):",
    '',
    ...rows.map(line),
  ];
}

/** Issue 11's margins: points over raw pixels and over the mean random init, and the targets met or not. */
function marginLines(e: VictimsEvaluation): string[] {
  if (!e.margins?.length) return [];
  const lines = e.margins.map((m) => {
    const parts = e.tasks
      .filter((t) => m.overPixels[t] !== undefined)
      .map(
        (t) =>
          `${TASK_TITLES[t] ?? t} ${signed(m.overPixels[t]!)} over pixels${m.overRandom[t] !== undefined ? `, ${signed(m.overRandom[t]!)} over random` : ''}`,
      );
    const targets = m.targets.map((t) => `${t.met ? 'met' : '**not met**'}: ${t.what}`);
    return `- \`${m.id}\`: ${parts.join('; ')}${targets.length ? ` — ${targets.join('; ')}` : ''}`;
  });
  return ['', 'Margins (points; issue 11 targets):', '', ...lines];
}

export function renderVictimsTable(e: VictimsEvaluation, command: string): string {
  const header = ['encoder', 'method', ...e.tasks.map((t) => `${TASK_TITLES[t] ?? t} top-1`), 'weights'];
  const rows = e.victims.map((v) => [
    `\`${v.id}\``,
    v.method,
    ...e.tasks.map((t) => pct(v.accuracy[t])),
    v.source === 'missing' || v.source === 'failed' ? (v.note ?? v.source) : v.source,
  ]);
  const baselineRows = e.baselines.map((b) => [
    `*baseline:* ${b.label}`,
    '—',
    ...e.tasks.map((t) => withSd(b.accuracy[t], b.sd?.[t])),
    '—',
  ]);
  const table = markdownTable([header, ...rows, ...baselineRows], {
    align: ['l', 'l', ...e.tasks.map(() => 'r' as const), 'l'],
  });
  const verdict =
    e.failures.length === 0
      ? 'Every evaluated SSL victim beats both baselines on Fashion-MNIST.'
      : `**Not beating both baselines on Fashion-MNIST:** ${e.failures.map((id) => `\`${id}\``).join(', ')}.`;
  return [
    `Produced by \`${command}\` on ${e.generatedAt.slice(0, 10)} (tfjs backend \`${e.backend}\`). Linear probe: frozen`,
    "features, the leaderboard's probe (`probeAccuracies` in " +
      "`benchmark/scoring/downstream.ts`, seed 0), trained on each task's",
    `probe-train split and scored top-1 on its probe-test split.${randomNote(e)}`,
    '',
    table,
    '',
    verdict,
    ...marginLines(e),
    ...fidelityLines(e),
    ...nextLines(e),
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
