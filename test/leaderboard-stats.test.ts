// Paired statistics in the leaderboard, on hand-built records with hand-worked numbers: ranks shared by rows that do
// not separate, a row with fewer seeds held below rows it does not beat, a defense's drop paired with its `none`
// cell by seed, normalised recovery R and agreement, reference rows, and the worst case over oblivious and adaptive
// attacks.
import { describe, expect, it } from 'vitest';
import { renderLeaderboard, renderWorstCase } from '../benchmark/leaderboard/index.ts';
import { beatsWithConfidence, rankWithTies } from '../benchmark/leaderboard/rank.ts';
import { normalisedRecovery, type ReferenceData } from '../benchmark/leaderboard/references.ts';
import { meanInterval, pairedDifference } from '../benchmark/scoring/stats.ts';
import type { CellMetrics } from '../benchmark/runner/record.ts';
import { createRng } from '../benchmark/util/random.ts';
import { power, record } from './leaderboard-fixtures.ts';

const seeds = [1, 2, 3, 4, 5];
const bySeed = (values: number[], from = 1) => new Map(values.map((v, i) => [from + i, v]));

/** Cells of the first table row after `section` whose second cell is `name`. */
function row(markdown: string, section: string, name: string): string[] {
  const part = markdown.slice(markdown.indexOf(section));
  const line = part.split('\n').find((l) => l.startsWith('|') && l.split('|')[2]?.trim() === name);
  if (!line) throw new Error(`no row ${name} after ${section}`);
  return line
    .split('|')
    .slice(1, -1)
    .map((c) => c.trim());
}

describe('pairedDifference', () => {
  it('pairs by seed, ignoring seeds only one side has', () => {
    // Differences on seeds 1..5: .05 .06 .04 .05 .05 → mean .05, sd √(.0002/4) = .0070711, t(.975,4) = 2.776445.
    const none = bySeed([0.7, 0.6, 0.8, 0.65, 0.75]);
    const defended = new Map([
      [5, 0.7],
      [3, 0.76],
      [1, 0.65],
      [4, 0.6],
      [2, 0.54],
      [9, 0.1],
    ]);
    const d = pairedDifference(none, defended)!;
    expect(d.seeds).toEqual([1, 2, 3, 4, 5]);
    expect(d.mean).toBeCloseTo(0.05, 12);
    expect(d.sd).toBeCloseTo(0.0070711, 6);
    expect(d.halfWidth).toBeCloseTo((2.776445 * 0.0070711) / Math.sqrt(5), 5);
    expect(pairedDifference(bySeed([1]), bySeed([1], 2))).toBeNull();
  });
});

describe('rankWithTies', () => {
  // A and B: paired differences .01 .01 −.02 .04 −.01 (mean .006, sd .0230) — the interval straddles zero.
  const a = bySeed([0.7, 0.74, 0.68, 0.72, 0.71]);
  const b = bySeed([0.69, 0.73, 0.7, 0.68, 0.72]);
  const weak = bySeed([0.5, 0.52, 0.49, 0.51, 0.5]);

  it('gives two rows whose intervals overlap one shared rank', () => {
    const ia = meanInterval([...a.values()]);
    const ib = meanInterval([...b.values()]);
    expect(ia.low! < ib.high! && ib.low! < ia.high!).toBe(true);
    expect(beatsWithConfidence(a, b)).toBe(false);
    expect(beatsWithConfidence(b, a)).toBe(false);
    const ranks = rankWithTies([
      { id: 'a', bySeed: a },
      { id: 'b', bySeed: b },
      { id: 'weak', bySeed: weak },
    ]);
    expect(ranks.get('a')).toEqual({ rank: 1, fewerSeeds: false });
    expect(ranks.get('b')).toEqual({ rank: 1, fewerSeeds: false });
    expect(ranks.get('weak')).toEqual({ rank: 3, fewerSeeds: false });
  });

  it('separates rows whose paired differences lie on one side of zero, even when their own intervals overlap', () => {
    // Same seeds, x = y + .01 exactly: marginal intervals overlap, but every paired difference is +.01.
    const y = bySeed([0.6, 0.7, 0.65, 0.75, 0.68]);
    const x = bySeed([...y.values()].map((v) => v + 0.01));
    expect(beatsWithConfidence(x, y)).toBe(true);
    const ranks = rankWithTies([
      { id: 'x', bySeed: x },
      { id: 'y', bySeed: y },
    ]);
    expect([ranks.get('x')!.rank, ranks.get('y')!.rank]).toEqual([1, 2]);
  });

  it('never ranks a row with fewer seeds above a row it does not beat with confidence', () => {
    // `few` has the highest mean but two widely spread seeds: nobody beats it, and it beats nobody.
    const few = new Map([
      [1, 0.95],
      [2, 0.55],
    ]);
    const ranks = rankWithTies([
      { id: 'a', bySeed: a },
      { id: 'weak', bySeed: weak },
      { id: 'few', bySeed: few },
    ]);
    expect(ranks.get('a')).toEqual({ rank: 1, fewerSeeds: false });
    expect(ranks.get('weak')).toEqual({ rank: 2, fewerSeeds: false });
    expect(ranks.get('few')).toEqual({ rank: 2, fewerSeeds: true });
  });

  it('orders lower-is-better scores the other way, and leaves rows without scores unranked', () => {
    const ranks = rankWithTies(
      [
        { id: 'a', bySeed: a },
        { id: 'weak', bySeed: weak },
        { id: 'none', bySeed: new Map() },
      ],
      true,
    );
    expect(ranks.get('weak')!.rank).toBe(1);
    expect(ranks.get('a')!.rank).toBe(2);
    expect(ranks.get('none')!.rank).toBeNull();
  });
});

describe('normalised recovery', () => {
  it('is (stolen − random) / (victim − random), and undefined when the victim does not beat random weights', () => {
    expect(normalisedRecovery(0.83, 0.78, 0.88)).toBeCloseTo(0.5, 12);
    expect(normalisedRecovery(0.78, 0.78, 0.88)).toBe(0);
    expect(normalisedRecovery(0.7, 0.78, 0.88)).toBeCloseTo(-0.8, 12);
    expect(normalisedRecovery(0.8, 0.8, 0.8)).toBeNull();
    expect(normalisedRecovery(0.8, 0.85, 0.8)).toBeNull();
  });
});

describe('leaderboard with references, agreement and paired drops', () => {
  const references: ReferenceData = {
    victims: [
      { id: 'cnn', arch: 'small-cnn', accuracy: { fmnist: 0.88, digits: 0.9 } },
      {
        id: 'cnn-independent',
        arch: 'small-cnn',
        accuracy: { fmnist: 0.87, digits: 0.89 },
        fidelity: { cka: 0.61, cosine: 0.2 },
      },
    ],
    baselines: [
      { id: 'raw-pixels', label: 'raw pixels', accuracy: { fmnist: 0.83, digits: 0.86 } },
      {
        id: 'random-small-cnn',
        label: 'small-cnn, random weights',
        accuracy: { fmnist: 0.78, digits: 0.8 },
        sd: { fmnist: 0.009, digits: 0.012 },
        inits: 5,
      },
    ],
  };
  const withAgreement = (m: Partial<CellMetrics>, agreement: Record<string, number>) =>
    ({ ...m, agreement }) as Partial<CellMetrics>;
  // R per task on every seed: fmnist (0.83 − 0.78) / (0.88 − 0.78) = 0.5,
  // digits (0.86 − 0.80) / (0.90 − 0.80) = 0.6 → 0.55.
  const direct = seeds.map((seed) =>
    record({
      attack: 'direct',
      seed,
      stolen: { fmnist: 0.83, digits: 0.86 },
      victimAccuracy: { fmnist: 0.88, digits: 0.9 },
      metrics: withAgreement({}, { fmnist: 0.9, digits: 0.8 }),
    }),
  );
  const noAgreement = seeds.map((seed) =>
    record({
      attack: 'plain',
      seed,
      stolen: { fmnist: 0.6, digits: 0.6 },
      victimAccuracy: { fmnist: 0.88, digits: 0.9 },
    }),
  );
  const { markdown } = renderLeaderboard([...direct, ...noAgreement], { references });

  it('computes R and agreement per record and shows "—" where agreement is absent', () => {
    const cells = row(markdown, '## Attacks', 'direct');
    // # | attack | fmnist stolen | fmnist victim | digits stolen | digits victim | R | agreement | …
    expect(cells.slice(0, 8)).toEqual([
      '1',
      'direct',
      '83.0 ± 0.0',
      '88.0 ± 0.0',
      '86.0 ± 0.0',
      '90.0 ± 0.0',
      '0.55 ± 0.00',
      '85.0 ± 0.0',
    ]);
    expect(row(markdown, '## Attacks', 'plain')[7]).toBe('—');
  });

  it('shows the reference rows: raw pixels, random weights (mean ± sd), the independent encoder, the victim', () => {
    const raw = row(markdown, '## Attacks', '*ref:* raw pixels');
    expect(raw.slice(0, 7)).toEqual(['ref', '*ref:* raw pixels', '83.0', '—', '86.0', '—', '0.55']);
    const random = row(markdown, '## Attacks', '*ref:* small-cnn, random weights, mean ± sd over 5 inits');
    expect(random.slice(2, 7)).toEqual(['78.0 ± 0.9 sd', '—', '80.0 ± 1.2 sd', '—', '0.00']);
    const independent = row(markdown, '## Attacks', '*ref:* independent encoder (cnn-independent)');
    expect(independent.slice(2, 10)).toEqual(['87.0', '—', '89.0', '—', '0.90', '—', '0.610', '0.200']);
    expect(row(markdown, '## Attacks', '*ref:* victim (cnn)').slice(2, 10)).toEqual([
      '88.0',
      '—',
      '90.0',
      '—',
      '1.00',
      '—',
      '1.000',
      '1.000',
    ]);
  });

  it('pairs a defense cell with its `none` cell by seed, whatever order the records come in', () => {
    const none = [0.7, 0.6, 0.8, 0.65, 0.75];
    const drops = [0.05, 0.06, 0.04, 0.05, 0.05];
    const records = [
      ...seeds.map((seed, i) => record({ attack: 'direct', seed, stolen: { fmnist: none[i] } })),
      ...seeds.map((seed, i) =>
        record({ attack: 'direct', defense: 'noise', seed, stolen: { fmnist: none[i] - drops[i] } }),
      ),
      // A defended seed with no `none` twin is left out of the pairing.
      record({ attack: 'direct', defense: 'noise', seed: 9, stolen: { fmnist: 0.1 } }),
    ];
    const { markdown: md } = renderLeaderboard(createRng(3).shuffle(records));
    // mean .05, half-width 2.776445 · .0070711 / √5 = .0088 → "+5.0 ± 0.9"; unpaired it would be ± 8 points or more.
    expect(row(md, '## Defenses', 'noise')[4]).toBe('+5.0 ± 0.9 (5 paired)');
  });
});

describe('worst case over oblivious and adaptive attacks', () => {
  const jitter = (i: number) => 0.01 * (i % 3);
  const cells = (attack: string, defense: string, value: number) =>
    seeds.map((seed, i) =>
      record({
        attack,
        defense,
        seed,
        stolen: { fmnist: value + jitter(i) },
        metrics: defense === 'none' ? {} : { legitimate: { defended: { fmnist: 0.78 }, undefended: { fmnist: 0.8 } } },
      }),
    );
  const records = [
    ...cells('plain', 'none', 0.72),
    ...cells('averager', 'none', 0.7),
    ...cells('plain', 'noise', 0.5),
    ...cells('averager', 'noise', 0.65),
    ...cells('plain', 'top-k', 0.4),
    ...cells('averager', 'top-k', 0.3),
    // Targeted by averager, which has no records under it: the lowest worst case here, but only a lower bound.
    ...cells('plain', 'rounding', 0.2),
  ];
  const attackTargets = new Map([
    ['averager', ['noise', 'rounding']],
    ['plain', []],
  ]);
  const { markdown } = renderLeaderboard(records, { attackTargets });

  // Jitter over seeds 1..5: 0 .01 .02 0 .01 → mean +.008, sd √(70e-6) = .0083666, half-width
  // 2.776445 · .0083666 / √5 = .0104 → "± 1.0"; both attacks share it, so their paired differences have no spread.
  it('takes the stronger of the two as the worst case, with its paired drop and the legitimate cost beside it', () => {
    const noise = row(markdown, '## Worst case', 'noise');
    // Each attack's own drop is paired with itself under none: plain .72 → .50, averager .70 → .65.
    expect(noise.slice(2, 11)).toEqual([
      'plain: 50.8 ± 1.0',
      '+22.0 ± 0.0 (5 paired)',
      'averager: 65.8 ± 1.0',
      '+5.0 ± 0.0 (5 paired)',
      'averager (adaptive)',
      '65.8 ± 1.0',
      '+5.0 ± 0.0 (5 paired)',
      '+2.0 ± 0.0',
      '5',
    ]);
  });

  it('ranks defenses by worst-case stolen accuracy, lowest first, and says when no attack targets a defense', () => {
    const topk = row(markdown, '## Worst case', 'top-k');
    // Under top-k `averager` is oblivious (it targets noise only); the strongest oblivious attack is plain at 40.8.
    expect(topk.slice(0, 7)).toEqual([
      '1',
      'top-k',
      'plain: 40.8 ± 1.0',
      '+32.0 ± 0.0 (5 paired)',
      'no attack targets it',
      '—',
      'plain (oblivious)',
    ]);
    expect(row(markdown, '## Worst case', 'noise')[0]).toBe('2');
  });

  it('renders the same section on its own for the defenses README (renderWorstCase)', () => {
    const alone = renderWorstCase(records, { attackTargets, heading: '###' });
    expect(alone).toContain('averager: 65.8 ± 1.0');
    const section = markdown.slice(markdown.indexOf('## Worst case\n\n') + '## Worst case\n\n'.length);
    expect(section.startsWith(alone)).toBe(true);
  });

  it('leaves a defense unranked while its adaptive attack has not been run, however low its measured worst case', () => {
    const rounding = row(markdown, '## Worst case', 'rounding');
    expect(rounding[0]).toBe('unranked');
    expect(rounding[4]).toBe('not run (averager)');
    expect(row(markdown, '## Worst case', 'top-k')[0]).toBe('1');
    // Listed after the ranked rows.
    const section = markdown.slice(markdown.indexOf('## Worst case'));
    expect(section.indexOf('| unranked')).toBeGreaterThan(section.indexOf('| noise'));
  });

  it('counts no attack as adaptive without metas, and says so', () => {
    const plain = renderLeaderboard(records).markdown;
    expect(row(plain, '## Worst case', 'noise')[6]).toBe('averager (oblivious)');
    expect(plain).toContain('No attack metas were given');
  });

  it('says for an ownership test on how many seeds each copy was claimed and the test valid', () => {
    // The oblivious copy is claimed on every seed, the test valid on seeds 1-3; the remover's copy escapes on 4 and 5.
    const owned = (attack: string, escapes: number[]) =>
      seeds.map((seed) =>
        record({
          attack,
          defense: 'watermark',
          seed,
          stolen: { fmnist: 0.7 },
          metrics: {
            ownership: {
              stolen: { stolen: !escapes.includes(seed), statistic: 3, pValue: 0.01 },
              power: power(true, seed > 3 ? 1 : 0),
            },
          },
        }),
      );
    const md = renderLeaderboard(
      [
        ...cells('plain', 'none', 0.72),
        ...cells('remover', 'none', 0.71),
        ...owned('plain', []),
        ...owned('remover', [4, 5]),
      ],
      { attackTargets: new Map([['remover', ['watermark']]]) },
    ).markdown;
    expect(row(md, '## Worst case', 'watermark')[11]).toBe('5/5 (valid 3/5) · 3/5 (valid 3/5)');
    // Without ownership records the table has no such column.
    expect(row(markdown, '## Worst case', 'noise')).toHaveLength(11);
  });
});

describe('defense measurements from the records (ownership power, detection windows, defense figures)', () => {
  const owned = (defense: string, p: ReturnType<typeof power>) =>
    [1, 2].map((seed) =>
      record({
        attack: 'a',
        defense,
        seed,
        stolen: { fmnist: 0.5 },
        metrics: { ownership: { stolen: { stolen: true, statistic: 3, pValue: 0.01 }, power: p } },
      }),
    );
  const windows = (fpr: number, flagged: number) => [
    {
      rule: 'pairwise' as const,
      features: 'projection' as const,
      legitimateQueries: 100,
      legitimateFlagged: 100 * fpr,
      attackerQueries: 100,
      attackerFlagged: 100 * flagged,
      falsePositiveRate: fpr,
      attackerFlaggedQueryRate: flagged,
    },
    {
      rule: 'window' as const,
      window: 64,
      features: 'representation' as const,
      legitimateQueries: 100,
      legitimateFlagged: 0,
      attackerQueries: 100,
      attackerFlagged: 0,
      falsePositiveRate: 0,
      attackerFlaggedQueryRate: null,
    },
  ];
  const records = [
    ...[1, 2].map((seed) => record({ attack: 'a', seed, stolen: { fmnist: 0.6 } })),
    ...owned('watermark', power(true, 0)),
    ...owned('dataset-inference', power(false, 0)),
    ...[1, 2].map((seed, i) =>
      record({
        attack: 'a',
        defense: 'detector',
        seed,
        stolen: { fmnist: 0.55 },
        metrics: {
          detection: {
            attackerFlagged: true,
            legitimateAccounts: 2,
            legitimateFlagged: 0,
            windows: windows(0.1 + 0.1 * i, 0.6),
          },
          defense: { victimSpread: 0.13, noiseSigma: 0.26 },
        },
      }),
    ),
  ];
  const { markdown } = renderLeaderboard(records);

  it('reports a stolen-copy verdict with its power, and says when the test has no power on the victim', () => {
    expect(row(markdown, '## Defenses', 'watermark')[10]).toBe(
      '2/2 claimed, stat 3.00, p ≤ 0.010; power: victim 2/2, false claims 0/6',
    );
    expect(row(markdown, '## Defenses', 'dataset-inference')[10]).toMatch(
      /^no power \(victim not claimed\) on 2\/2 seeds; power: victim 0\/2/,
    );
  });

  it("shows the defense's own figures and the detection rates per rule", () => {
    expect(row(markdown, '## Defenses', 'detector')[12]).toBe('noiseSigma 0.26, victimSpread 0.13'); // sorted by name
    const lines = markdown.split('\n').filter((l) => l.startsWith('| detector'));
    // FPR 0.10 and 0.20 over two seeds → 15.0 ± 63.5 (t(0.975, 1) = 12.706 · 0.0707 / √2).
    expect(lines.some((l) => /\| projection +\| pairwise +\| +15\.0 ± 63\.5 \| +60\.0 ± 0\.0 \|/.test(l))).toBe(true);
    expect(lines.some((l) => /\| representation +\| last 64 queries +\| +0\.0 ± 0\.0 \| +— \|/.test(l))).toBe(true);
  });
});

describe('rows with fewer seeds and tied defenses in the rendered tables', () => {
  it('marks a row with fewer seeds and holds it below the rows it does not beat', () => {
    const strong = [0.8, 0.81, 0.82, 0.8, 0.81];
    const weak = [0.6, 0.61, 0.6, 0.62, 0.6];
    const records = [
      ...seeds.map((seed, i) => record({ attack: 'strong', seed, stolen: { fmnist: strong[i] } })),
      ...seeds.map((seed, i) => record({ attack: 'weak', seed, stolen: { fmnist: weak[i] } })),
      // One seed, higher than both: nothing can be said about it, so it ranks with the lowest row it does not beat.
      record({ attack: 'lucky', seed: 1, stolen: { fmnist: 0.9 } }),
    ];
    const { markdown } = renderLeaderboard(records);
    expect(row(markdown, '## Attacks', 'strong')[0]).toBe('1');
    expect(row(markdown, '## Attacks', 'weak')[0]).toBe('2');
    expect(row(markdown, '## Attacks', 'lucky')[0]).toBe('2 (fewer seeds)');
  });

  it('gives defenses whose worst cases do not separate one shared rank', () => {
    const a = [0.5, 0.55, 0.45, 0.52, 0.48];
    const b = [0.51, 0.5, 0.49, 0.5, 0.52];
    const records = [
      ...seeds.map((seed) => record({ attack: 'x', seed, stolen: { fmnist: 0.8 } })),
      ...seeds.map((seed, i) => record({ attack: 'x', defense: 'd1', seed, stolen: { fmnist: a[i] } })),
      ...seeds.map((seed, i) => record({ attack: 'x', defense: 'd2', seed, stolen: { fmnist: b[i] } })),
    ];
    const { markdown } = renderLeaderboard(records, { attackTargets: new Map() });
    expect(row(markdown, '## Worst case', 'd1')[0]).toBe('1');
    expect(row(markdown, '## Worst case', 'd2')[0]).toBe('1');
  });
});
