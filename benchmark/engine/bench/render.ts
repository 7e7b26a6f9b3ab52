// Renders an engine benchmark report as a Markdown table (kept apart from the measuring, tinybench style).
import { markdownTable } from 'markdown-table';
import type { EngineBenchReport } from './engine-bench.ts';

const ms = (v: number | undefined) =>
  v === undefined ? '' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(1)} ms`;

/** The paired PyTorch rounds behind ours / PyTorch, when the report has them. */
function torchRounds(report: EngineBenchReport): string {
  if (!report.torchRounds) return '';
  const rounds = report.torchRounds.map((x) => {
    return `${ms(x.oursMs)} / ${ms(x.torchMs)} = ${(x.oursMs / x.torchMs).toFixed(2)}×`;
  });
  return ` (median of the rounds' ratios; rounds, ours / PyTorch: ${rounds.join('; ')})`;
}

export function renderEngineBench(report: EngineBenchReport): string {
  const rows = report.cases.map((c) => [
    c.name,
    c.model,
    String(c.batch),
    c.state,
    ms(c.msPerStep),
    c.msPerStepScaled !== undefined ? ms(c.msPerStepScaled) : '',
    c.samples !== undefined ? String(c.samples) : '',
  ]);
  const table = markdownTable([
    ['case', 'model', 'batch', 'state', 'ms/step (median)', `scaled to batch ${report.batch}`, 'steps timed'],
    ...rows,
  ]);
  const r = report.ratios;
  const lines = [
    table,
    '',
    `wasm SIMD: ${report.simd}; kernels: ${report.kernels.join(', ')}; ` +
      `gradients: ${(report.gradients ?? []).join(', ')}`,
    r.stockOverOurs !== undefined
      ? `stock wasm / ours: ${r.stockOverOurs.toFixed(2)}×${report.rounds ? ` (median of the rounds' ratios; rounds, ours / stock: ${report.rounds.map((x) => `${ms(x.oursMs)} / ${ms(x.stockMs)} = ${(x.stockMs / x.oursMs).toFixed(2)}×`).join('; ')})` : ''}`
      : 'stock wasm / ours: not measured',
    r.oursOverTorch !== undefined
      ? `ours / PyTorch: ${r.oursOverTorch.toFixed(2)}×${torchRounds(report)}`
      : 'ours / PyTorch: not measured',
    r.cpuOverOurs !== undefined ? `cpu (scaled) / ours: ${r.cpuOverOurs.toFixed(0)}×` : '',
  ];
  const notes = report.cases.filter((c) => c.note).map((c) => `- ${c.name}: ${c.note}`);
  const profile = report.profile
    ? [
        '',
        `Profile of one step of ours (least kernel time of ${report.profile.steps}; ` +
          `${report.profile.wallMs.toFixed(0)} ms wall under tf.profile):`,
        '',
        markdownTable([
          ['kernel', 'calls', 'ms'],
          ...report.profile.kernels.filter((k) => k.ms >= 0.5).map((k) => [k.name, String(k.calls), k.ms.toFixed(1)]),
        ]),
        `(${report.profile.kernels.filter((k) => k.ms < 0.5).length} more kernels under 0.5 ms each: ${report.profile.kernels
          .filter((k) => k.ms < 0.5)
          .reduce((sum, k) => sum + k.ms, 0)
          .toFixed(1)} ms together)`,
      ]
    : [];
  return [...lines.filter(Boolean), ...(notes.length ? ['', 'Notes:', ...notes] : []), ...profile].join('\n');
}
