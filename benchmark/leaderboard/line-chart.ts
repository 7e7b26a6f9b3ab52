// A small line-chart SVG writer (axes, ticks, legend, interval whiskers) for the accuracy-against-budget charts.
// d3-scale does the scale maths (log/linear mapping, "nice" y ticks); the SVG text is written here because the chart
// packages on npm either need a browser DOM/canvas or (vega-lite) a newer Node than ours. Coordinates are rounded to
// two decimals so the same data always gives the same bytes.
import { scaleLinear, scaleLog } from 'd3-scale';

export interface ChartPoint {
  x: number;
  y: number;
  /** Interval around y (drawn as a whisker) when known. */
  low?: number;
  high?: number;
}

export interface LineSeries {
  label: string;
  points: ChartPoint[];
  dashed?: boolean;
}

export interface LineChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  /** X positions labelled on the axis (e.g. the budgets measured); defaults to every x in the data. */
  xTicks?: number[];
  width?: number;
  height?: number;
}

// Tableau 10: distinguishable colours, the usual default of plotting libraries.
const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

const r2 = (v: number) => String(Math.round(v * 100) / 100);

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function tickText(v: number): string {
  return Math.abs(v) >= 1000 && Number.isInteger(v) ? v.toLocaleString('en-US') : String(Math.round(v * 1000) / 1000);
}

export function lineChartSvg(spec: LineChartSpec): string {
  const width = spec.width ?? 720;
  const height = spec.height ?? 360;
  const legendWidth = 240;
  const margin = { top: 36, right: legendWidth + 16, bottom: 48, left: 56 };
  const all = spec.series.flatMap((s) => s.points);
  const xs = [...new Set([...(spec.xTicks ?? []), ...all.map((p) => p.x)])].sort((a, b) => a - b);
  const ys = all.flatMap((p) => [p.y, p.low ?? p.y, p.high ?? p.y]);
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;

  // Budgets grow geometrically, so a log axis when they span a factor of 10 or more.
  const xMin = xs[0] ?? 1;
  const xMax = xs[xs.length - 1] ?? 1;
  const useLog = xMin > 0 && xMax / xMin >= 10;
  const xDomain: [number, number] =
    xMin === xMax ? (useLog || xMin > 0 ? [xMin / 2, xMax * 2] : [xMin - 1, xMax + 1]) : [xMin, xMax];
  const x = (useLog ? scaleLog() : scaleLinear()).domain(xDomain).range([margin.left + 14, margin.left + plotW - 14]); // inset: no point sits on an axis
  const yLow = ys.length ? Math.min(...ys) : 0;
  const yHigh = ys.length ? Math.max(...ys) : 1;
  const yPad = yLow === yHigh ? 1 : (yHigh - yLow) * 0.05;
  const y = scaleLinear()
    .domain([yLow - yPad, yHigh + yPad])
    .nice(6)
    .range([margin.top + plotH, margin.top]);

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" font-family="sans-serif" ` +
      `font-size="11">`,
  );
  out.push(`<title>${escapeXml(spec.title)}</title>`);
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${r2(margin.left)}" y="20" font-size="13" font-weight="bold">${escapeXml(spec.title)}</text>`);

  // Axes, grid and ticks.
  const x0 = margin.left;
  const y0 = margin.top + plotH;
  out.push(`<g stroke="#e0e0e0">`);
  for (const t of y.ticks(6))
    out.push(`<line x1="${r2(x0)}" x2="${r2(x0 + plotW)}" y1="${r2(y(t))}" y2="${r2(y(t))}"/>`);
  out.push(`</g>`);
  out.push(
    `<g stroke="#333333"><line x1="${r2(x0)}" x2="${r2(x0 + plotW)}" y1="${r2(y0)}" ` +
      `y2="${r2(y0)}"/><line x1="${r2(x0)}" x2="${r2(x0)}" y1="${r2(margin.top)}" ` +
      `y2="${r2(y0)}"/></g>`,
  );
  out.push(`<g text-anchor="middle">`);
  for (const t of xs) out.push(`<text x="${r2(x(t))}" y="${r2(y0 + 16)}">${escapeXml(tickText(t))}</text>`);
  out.push(`</g>`);
  out.push(`<g text-anchor="end">`);
  for (const t of y.ticks(6)) out.push(`<text x="${r2(x0 - 6)}" y="${r2(y(t) + 4)}">${escapeXml(tickText(t))}</text>`);
  out.push(`</g>`);
  out.push(
    `<text x="${r2(x0 + plotW / 2)}" y="${r2(height - 10)}" ` +
      `text-anchor="middle">${escapeXml(spec.xLabel)}${useLog ? ' (log scale)' : ''}</text>`,
  );
  out.push(
    `<text transform="translate(14 ${r2(margin.top + plotH / 2)}) ` +
      `rotate(-90)" text-anchor="middle">${escapeXml(spec.yLabel)}</text>`,
  );

  // Series: a polyline through the points in x order, whiskers for intervals, a dot per point.
  spec.series.forEach((s, i) => {
    const colour = PALETTE[i % PALETTE.length];
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    out.push(`<g stroke="${colour}" fill="${colour}">`);
    if (pts.length > 1) {
      const path = pts.map((p) => `${r2(x(p.x))},${r2(y(p.y))}`).join(' ');
      out.push(`<polyline points="${path}" fill="none" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    }
    for (const p of pts) {
      if (p.low !== undefined && p.high !== undefined) {
        out.push(
          `<line x1="${r2(x(p.x))}" x2="${r2(x(p.x))}" y1="${r2(y(p.low))}" y2="${r2(y(p.high))}" stroke-width="1"/>`,
        );
      }
      if (!s.dashed) out.push(`<circle cx="${r2(x(p.x))}" cy="${r2(y(p.y))}" r="3"/>`);
    }
    out.push(`</g>`);
    const ly = margin.top + 8 + i * 18;
    const lx = width - legendWidth;
    out.push(
      `<line x1="${lx}" x2="${lx + 22}" y1="${ly}" y2="${ly}" stroke="${colour}" ` +
        `stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    out.push(`<text x="${lx + 28}" y="${ly + 4}">${escapeXml(s.label)}</text>`);
  });
  out.push(`</svg>`);
  return `${out.join('\n')}\n`;
}
