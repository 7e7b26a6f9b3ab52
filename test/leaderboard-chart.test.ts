// The SVG charts: well-formed XML (balanced tags, escaped text), one line per attack, points placed by value.
import { describe, expect, it } from 'vitest';
import { lineChartSvg, renderLeaderboard } from '../benchmark/leaderboard/index.ts';
import { record } from './leaderboard-fixtures.ts';

/** Minimal well-formedness check: every opened tag is closed in order, attributes are quoted, one root <svg>. */
function checkWellFormed(svg: string): Map<string, number> {
  const counts = new Map<string, number>();
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  for (let m = tag.exec(svg); m; m = tag.exec(svg)) {
    const between = svg.slice(last, m.index);
    if (between.includes('<') || /&(?!amp;|lt;|gt;|quot;)/.test(between))
      throw new Error(`bad text before offset ${m.index}: ${between}`);
    last = tag.lastIndex;
    const [, closing, name, , selfClosing] = m;
    if (closing) {
      if (stack.pop() !== name) throw new Error(`</${name}> closes the wrong element at ${m.index}`);
    } else {
      if (stack.length === 0 && name !== 'svg') throw new Error(`root element is <${name}>`);
      counts.set(name, (counts.get(name) ?? 0) + 1);
      if (!selfClosing) stack.push(name);
    }
  }
  if (stack.length) throw new Error(`unclosed <${stack.join('>, <')}>`);
  if (svg.slice(last).trim() !== '') throw new Error('text after the root element');
  return counts;
}

describe('lineChartSvg', () => {
  it('is well-formed, escapes text and draws a polyline per multi-point series', () => {
    const svg = lineChartSvg({
      title: 'a < b & "c"',
      xLabel: 'budget',
      yLabel: 'accuracy',
      series: [
        {
          label: 'one',
          points: [
            { x: 100, y: 10, low: 8, high: 12 },
            { x: 1000, y: 20 },
          ],
        },
        { label: 'two <x>', points: [{ x: 100, y: 5 }] },
      ],
    });
    const counts = checkWellFormed(svg);
    expect(counts.get('svg')).toBe(1);
    expect(counts.get('polyline')).toBe(1);
    expect(counts.get('circle')).toBe(3);
    expect(svg).toContain('a &lt; b &amp; &quot;c&quot;');
    expect(svg).toContain('(log scale)');
  });

  it('places a larger value higher (smaller y coordinate)', () => {
    const svg = lineChartSvg({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        {
          label: 's',
          points: [
            { x: 1, y: 10 },
            { x: 2, y: 30 },
          ],
        },
      ],
    });
    const cy = [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(cy).toHaveLength(2);
    expect(cy[1][0]).toBeGreaterThan(cy[0][0]);
    expect(cy[1][1]).toBeLessThan(cy[0][1]);
  });

  it(
    'the rendered leaderboard charts are well-formed, one per victim × ' + 'task, a line per attack plus the victim',
    () => {
      const records = [100, 1000, 10000].flatMap((budget) =>
        [1, 2].flatMap((seed) => [
          record({ attack: 'a', budget, seed, stolen: { fmnist: 0.5 + budget / 1e5, digits: 0.4 } }),
          record({
            attack: 'b',
            budget,
            seed,
            stolen: { fmnist: 0.3, digits: 0.2 },
            ...(budget === 1000 ? { state: 'failed' as const } : {}),
          }),
        ]),
      );
      const { charts } = renderLeaderboard(records);
      expect(charts.map((c) => c.name)).toEqual(['accuracy-cnn-digits.svg', 'accuracy-cnn-fmnist.svg']);
      for (const chart of charts) {
        const counts = checkWellFormed(chart.svg);
        expect(counts.get('polyline')).toBe(3); // a, b (gap at 1000 still leaves two points), victim
        expect(chart.svg).toContain('b (1000 failed ×2)');
      }
    },
  );
});
