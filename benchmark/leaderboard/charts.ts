// Accuracy-against-budget charts: one per victim (× pool) × downstream task, a line per attack under no defense
// (mean stolen accuracy, 95% interval whiskers) and the victim's own accuracy as a dashed reference line. A budget
// where an attack has no completed seed is left out of its line and named in its legend entry.
import { stateSummary } from './format.ts';
import { lineChartSvg, type LineSeries } from './line-chart.ts';
import type { Scenario } from './group.ts';
import type { GroupSummary } from './summarize.ts';

export interface Chart {
  /** File name, e.g. `accuracy-fmnist-cnn-fmnist.svg`. */
  name: string;
  title: string;
  svg: string;
}

export function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'chart'
  );
}

export function budgetCharts(scenario: Scenario, undefended: readonly GroupSummary[]): Chart[] {
  const tasks: string[] = [];
  for (const s of undefended) for (const t of s.group.tasks) if (!tasks.includes(t)) tasks.push(t);
  const budgets = [...new Set(undefended.map((s) => s.group.budget))].sort((a, b) => a - b);
  const attacks = [...new Set(undefended.map((s) => s.group.attack))].sort();
  const charts: Chart[] = [];
  for (const task of tasks) {
    const series: LineSeries[] = [];
    for (const attack of attacks) {
      const rows = undefended.filter((s) => s.group.attack === attack).sort((a, b) => a.group.budget - b.group.budget);
      const gaps: string[] = [];
      const points = rows.flatMap((s) => {
        const v = s.stolen[task];
        if (!v) {
          const states =
            s.group.completed.length === 0 ? stateSummary(s.group.incomplete.map((e) => e.state)) : 'not measured';
          gaps.push(`${s.group.budget} ${states}`);
          return [];
        }
        return [
          {
            x: s.group.budget,
            y: 100 * v.mean,
            ...(v.low !== null && v.high !== null ? { low: 100 * v.low, high: 100 * v.high } : {}),
          },
        ];
      });
      series.push({ label: gaps.length ? `${attack} (${gaps.join('; ')})` : attack, points });
    }
    const victimPoints = budgets.flatMap((b) => {
      const means = undefended
        .filter((s) => s.group.budget === b && s.victim[task])
        .map((s) => s.victim[task]?.mean ?? 0);
      return means.length ? [{ x: b, y: (100 * means.reduce((a, c) => a + c, 0)) / means.length }] : [];
    });
    if (victimPoints.length) series.push({ label: 'victim', points: victimPoints, dashed: true });
    const title = `${scenario.label}: ${task} accuracy against query budget (no defense)`;
    charts.push({
      name: `accuracy-${slug(scenario.label)}-${slug(task)}.svg`,
      title,
      svg: lineChartSvg({
        title,
        xLabel: 'query budget (images)',
        yLabel: `${task} linear-probe accuracy (%)`,
        series,
        xTicks: budgets,
      }),
    });
  }
  return charts;
}
