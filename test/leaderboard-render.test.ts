// renderLeaderboard on fixture records built here: ranks, interval numbers, failed and missing cells shown as such,
// defense ranking by accuracy drop, determinism, and a small inline snapshot of the whole Markdown.
import { describe, expect, it } from 'vitest';
import { renderLeaderboard } from '../benchmark/leaderboard/index.ts';
import { createRng } from '../benchmark/util/random.ts';
import { record } from './leaderboard-fixtures.ts';

const seeds = [1, 2, 3];
/** Table row of the first line that starts with `| <cells...>` containing `name` as a cell. */
function row(markdown: string, section: string, name: string): string[] {
  const part = markdown.slice(markdown.indexOf(section));
  const line = part.split('\n').find(
    (l) =>
      l.startsWith('|') &&
      l
        .split('|')
        .map((c) => c.trim())
        .includes(name),
  );
  if (!line) throw new Error(`no row ${name} after ${section}`);
  return line
    .split('|')
    .slice(1, -1)
    .map((c) => c.trim());
}

describe('renderLeaderboard', () => {
  const records = [
    // strong: 0.70, 0.72, 0.74 → mean 72.0, half-width t(0.975,2)·0.02/√3 = 4.968 pp → "72.0 ± 5.0"
    ...seeds.map((seed, i) =>
      record({ attack: 'strong', seed, stolen: { fmnist: 0.7 + 0.02 * i }, victimAccuracy: { fmnist: 0.9 } }),
    ),
    // weak: 0.40, 0.41, 0.42 → "41.0 ± 2.5"
    ...seeds.map((seed, i) => record({ attack: 'weak', seed, stolen: { fmnist: 0.4 + 0.01 * i } })),
    ...seeds.map((seed) => record({ attack: 'broken', seed, state: 'failed', error: 'attack threw: NaN loss' })),
    // defenses at the same budget: noise takes 0.72 → 0.52 (20 pp); detector 0.72 → 0.62 (10 pp)
    ...seeds.map((seed, i) =>
      record({
        attack: 'strong',
        defense: 'noise',
        seed,
        stolen: { fmnist: 0.5 + 0.02 * i },
        metrics: {
          legitimate: { defended: { fmnist: 0.8 }, undefended: { fmnist: 0.85 } },
          ownership: {
            stolen: { stolen: true, statistic: 6, pValue: 0.001 * seed },
            independent: { stolen: false, statistic: 0.5, pValue: 0.3 + 0.1 * seed },
          },
        },
      }),
    ),
    ...seeds.map((seed) => record({ attack: 'weak', defense: 'noise', seed, stolen: { fmnist: 0.3 } })),
    ...seeds.map((seed, i) =>
      record({
        attack: 'strong',
        defense: 'detector',
        seed,
        stolen: { fmnist: 0.6 + 0.02 * i },
        metrics: {
          detection: { attackerFlagged: seed !== 2, legitimateAccounts: 10, legitimateFlagged: seed === 1 ? 1 : 0 },
        },
      }),
    ),
  ];
  const { markdown, charts } = renderLeaderboard(records);

  it('ranks attacks under no defense by stolen accuracy, with the t interval over seeds', () => {
    expect(row(markdown, '## Attacks', 'strong')).toEqual([
      '1',
      'strong',
      '72.0 ± 5.0',
      '90.0 ± 0.0',
      '—',
      '—',
      '—',
      '—',
      '1000',
      '2',
      '3',
    ]);
    expect(row(markdown, '## Attacks', 'weak').slice(0, 3)).toEqual(['2', 'weak', '41.0 ± 2.5']);
  });

  it(
    'shows a failed attack as failed — in the ranking, the matrix and the ' + 'list of incomplete cells — never as 0',
    () => {
      const ranked = row(markdown, '## Attacks', 'broken');
      expect(ranked[0]).toBe('—');
      expect(ranked[2]).toBe('failed ×3');
      expect(ranked.join(' ')).not.toMatch(/\b0\.0\b/);
      expect(row(markdown, '## Attack × defense', 'broken')).toEqual(['broken', 'failed ×3', 'not run', 'not run']);
      expect(markdown).toContain('3 cells did not complete: failed ×3.');
      expect(markdown).toContain(
        '| failed | cnn    | none    | broken | 1000   | 1    | attack (broken): attack threw: NaN loss |',
      );
    },
  );

  it(
    'ranks defenses by the accuracy they take from the strongest attack, ' + 'with utility, detection and ownership',
    () => {
      const noise = row(markdown, '## Defenses', 'noise');
      const detector = row(markdown, '## Defenses', 'detector');
      // Paired by seed: 0.70/0.50, 0.72/0.52, 0.74/0.54 → +20 points on every seed, no spread.
      expect(noise.slice(0, 5)).toEqual(['1', 'noise', 'strong', '52.0 ± 5.0', '+20.0 ± 0.0 (3 paired)']);
      expect(noise.slice(5, 8)).toEqual(['80.0 ± 0.0', '85.0 ± 0.0', '+5.0 ± 0.0']);
      expect(noise[10]).toBe('3/3 claimed, stat 6.00, p ≤ 0.0030');
      expect(noise[11]).toBe('0/3 claimed, stat 0.50, p ≥ 0.40');
      expect(detector.slice(0, 5)).toEqual(['2', 'detector', 'strong', '62.0 ± 5.0', '+10.0 ± 0.0 (3 paired)']);
      expect(detector.slice(8, 10)).toEqual(['2/3', '1/30 (3.3%)']);
      expect(row(markdown, '## Defenses', 'none').slice(0, 5)).toEqual([
        'base',
        'none',
        'strong',
        '72.0 ± 5.0',
        'baseline',
      ]);
    },
  );

  it('gives the same Markdown and charts for the same records in any order', () => {
    const shuffled = createRng(7).shuffle(records);
    const again = renderLeaderboard(shuffled);
    expect(again.markdown).toBe(markdown);
    expect(again.charts).toEqual(charts);
  });

  it('lists expected cells with no record as missing', () => {
    const expected = [...records.map((r) => r.cell), { ...records[0].cell, seed: 4 }];
    const out = renderLeaderboard(records, { expected });
    expect(out.markdown).toContain('4 cells did not complete: failed ×3, missing ×1.');
    expect(row(out.markdown, '## Attacks', 'strong')).toContain('3/4 (missing)');
  });

  it('labels option variants of one defense by the options that differ', () => {
    const out = renderLeaderboard([
      record({ attack: 'a', stolen: { fmnist: 0.6 } }),
      record({ attack: 'a', defense: 'noise', defenseOptions: { sigma: 0.1, mean: 0 }, stolen: { fmnist: 0.5 } }),
      record({ attack: 'a', defense: 'noise', defenseOptions: { sigma: 1, mean: 0 }, stolen: { fmnist: 0.2 } }),
    ]);
    // One seed each: the drops cannot be told apart, so both variants share rank 1.
    expect(row(out.markdown, '## Defenses', 'noise (sigma=1)').slice(0, 5)).toEqual([
      '1',
      'noise (sigma=1)',
      'a',
      '20.0',
      '+40.0 (1 paired)',
    ]);
    expect(row(out.markdown, '## Defenses', 'noise (sigma=0.1)').slice(0, 5)).toEqual([
      '1',
      'noise (sigma=0.1)',
      'a',
      '50.0',
      '+10.0 (1 paired)',
    ]);
  });

  it('renders a small case to stable Markdown', () => {
    const small = renderLeaderboard([
      record({ attack: 'direct', seed: 1, stolen: { fmnist: 0.61 }, startedAt: '2025-01-02T00:00:00Z' }),
      record({ attack: 'direct', seed: 2, stolen: { fmnist: 0.63 }, startedAt: '2025-01-01T00:00:00Z' }),
      record({ attack: 'slow', seed: 1, state: 'timed-out', error: 'no answer after 600 s' }),
    ]);
    expect(small.markdown).toMatchInlineSnapshot(`
      "# stealbench leaderboard

      Stolen and victim accuracy: linear-probe top-1 accuracy on the downstream task, in %, as mean ± half-width of the
      95% Student t interval over seeds (no ± when only one seed completed). Where a table shows one accuracy for several
      tasks it is the mean over the downstream tasks. Fidelity: linear CKA and mean cosine between stolen and victim
      representations on held-out images. A cell that did not complete shows its state (failed, timed-out, skipped,
      missing), never a number; "not run" means the grid had no such cell.

      R is normalised recovery, (stolen − random) / (victim − random) per task, averaged over tasks, where "random"
      is the mean of the random-weight inits of the victim's architecture (0 = random weights, 1 = the victim).
      Agreement: share of probe-test images on which the stolen copy's probe and the victim's probe predict the same
      class. Reference rows (*ref:*) come from \`victims/evaluation.json\` (\`stealbench evaluate-victims --json\`),
      measured with the same probe.

      Ranks: row A beats row B when the 95% t interval of the paired per-seed difference A − B (over their common seeds)
      lies above zero; a row's rank is 1 + the number of rows that beat it, so rows that do not separate share a rank.
      A row with fewer seeds than the others is marked so and never ranked above a row it does not beat.

      ## Attacks under no defense

      Ranked by stolen accuracy (mean over downstream tasks) with the \`none\` defense.

      ### cnn · budget 1000

      |  # | Attack | fmnist stolen % | fmnist victim % |         R | agreement % |       CKA |    cosine |   queries |  attack s |           seeds |
      | -: | :----- | --------------: | --------------: | --------: | ----------: | --------: | --------: | --------: | --------: | --------------: |
      |  1 | direct |     62.0 ± 12.7 |      90.0 ± 0.0 |         — |           — |         — |         — |      1000 |         2 |               2 |
      |  — | slow   |       timed-out |       timed-out | timed-out |   timed-out | timed-out | timed-out | timed-out | timed-out | 0/1 (timed-out) |

      ## Defenses

      Each defense is judged by the strongest attack against it (highest stolen accuracy under that defense). "Drop" is
      the same attack's accuracy under \`none\` minus it, at the same budget, paired seed by seed (mean ± 95% t
      half-width over the common seeds); "legit. cost" is legitimate users' accuracy through the undefended API minus
      through the defended one, paired within each cell. Ranked by drop with shared ranks (as above).
      Detection and ownership figures come from the strongest attack's cells: seeds on which the attacker was flagged,
      legitimate accounts flagged, and the ownership test on the stolen copy (largest p over seeds) and on an
      independently trained encoder (smallest p over seeds).

      ### cnn · budget 1000

      |    # | Defense | Strongest attack |    Stolen % | Drop vs none (pp, paired) | Legit. defended % | Legit. undefended % | Legit. cost (pp) | Attacker flagged | Legit. flagged | Ownership: stolen copy | Ownership: independent | Defense figures | seeds |
      | ---: | :------ | :--------------- | ----------: | ------------------------: | ----------------: | ------------------: | ---------------: | ---------------: | -------------: | ---------------------: | ---------------------: | --------------: | ----: |
      | base | none    | direct           | 62.0 ± 12.7 |                  baseline |                 — |                   — |                — |                — |              — |                      — |                      — |               — |     2 |

      ## Worst case

      Each defense against the strongest oblivious attack and the strongest adaptive attack (one whose \`meta.targets\`
      names the defense), judged by the stronger of the two: the highest stolen accuracy any attack keeps through it.
      Ranked by that worst-case accuracy, lowest first, with shared ranks where the per-seed accuracies do not
      separate. A defense whose adaptive attack has not been run is "unranked": its worst case is only a lower bound.
      Each "drop" pairs its attack with the same attack under \`none\`, seed by seed: the oblivious attack's, the
      adaptive attack's, and the worst case's. Ownership tests (watermark, dataset inference) do not aim to lower the
      accuracy: for them a last column says on how many seeds the copy was claimed, under the oblivious and the
      adaptive attack, and on how many the test was valid (it claimed the victim itself and no independent encoder).

      No records with a defense other than \`none\`.

      (No attack metas were given, so no attack counts as adaptive.)

      ## Attack × defense

      Stolen accuracy, % (mean over downstream tasks).

      ### cnn · budget 1000

      | Attack \\ Defense |        none |
      | :--------------- | ----------: |
      | direct           | 62.0 ± 12.7 |
      | slow             |   timed-out |

      ## Accuracy against budget

      ![cnn: fmnist accuracy against query budget (no defense)](charts/accuracy-cnn-fmnist.svg)

      ## Cells that did not complete

      1 cell did not complete: timed-out.

      | State     | Victim | Defense | Attack | Budget | Seed | Reason                               |
      | --------- | ------ | ------- | ------ | ------ | ---- | ------------------------------------ |
      | timed-out | cnn    | none    | slow   | 1000   | 1    | attack (slow): no answer after 600 s |

      ## Provenance

      - Records: 3 (completed ×2, timed-out ×1)
      - Harness version: \`0.1.0\`
      - Runs started: 2025-01-01T00:00:00.000Z to 2025-01-02T00:00:00Z
      - Backends: \`wasm\`
      - Node: \`v20.20.0\`
      - Seeds: 1, 2
      - Data sources: —
      - Plugin and victim hashes: \`direct\` h-direct; \`none\` h-none; \`slow\` h-slow
      "
    `);
  });
});

describe('defense drop is measured on the same attack', () => {
  it('compares the defended attack with itself under none, not with a stronger attack run only without defense', () => {
    const records = [
      record({
        attack: 'strong',
        stolen: { fmnist: 0.9 },
        metrics: { legitimate: { defended: { fmnist: 0.8 }, undefended: { fmnist: 0.8 } } },
      }),
      record({ attack: 'medium', stolen: { fmnist: 0.7 } }),
      // Only `medium` is run against `noise`: 0.70 → 0.65 is a 5-point drop (not 0.90 → 0.65 = 25).
      record({
        attack: 'medium',
        defense: 'noise',
        stolen: { fmnist: 0.65 },
        metrics: { legitimate: { defended: { fmnist: 0.7 }, undefended: { fmnist: 0.8 } } },
      }),
    ];
    const { markdown } = renderLeaderboard(records);
    const cells = row(markdown, '## Defenses', 'noise');
    expect(cells).toContain('+5.0 (1 paired)');
    // Legitimate users' own task is scored even when the cell's downstream tasks differ.
    expect(cells).toContain('70.0');
    expect(cells).toContain('80.0');
  });
});
