// Renders "Against adaptive attackers" in defenses/README.md (issue 13): per defense, the strongest oblivious and
// the strongest adaptive attack with each one's drop paired by seed against the same attack under `none`, and the
// worst case over both. The tables are the leaderboard's worst-case section (benchmark/leaderboard/worst-case.ts),
// drawn from the same records, so the README and LEADERBOARD.md cannot disagree. Which attacks are adaptive comes
// from the registered attacks' `meta.targets`.
//
//   npx tsx defenses/_experiments/render-adaptive.ts [--runs leaderboard[,<dir>…]] [--write defenses/README.md]
import {
  attackTargetsFromRegistry,
  experimentCommand,
  readRecordsAcross,
  renderWorstCase,
  runIfMain,
  spliceIntoFile,
} from '../../benchmark/testkit/index.ts';

export const ADAPTIVE_MARKER = 'adaptive-worst-case';

export const command = experimentCommand(
  'render-adaptive',
  "Renders the defenses README's oblivious-vs-adaptive tables from result records (the leaderboard's worst case).",
)
  .option('--runs <folders>', 'comma-separated folders whose results/*.json are the benchmark records', 'leaderboard')
  .option('--write <file>', `splice the tables into this Markdown file between the ${ADAPTIVE_MARKER} markers`)
  .action(async (options: { runs: string; write?: string }) => {
    const read = readRecordsAcross(options.runs.split(','));
    const { targets, problems } = await attackTargetsFromRegistry();
    for (const problem of problems) console.error(`${problem} (its attacks count as oblivious)`);
    const body = [
      `Rendered by \`npx tsx defenses/_experiments/render-adaptive.ts --runs ${options.runs}\` from the ` +
        `${read.records.length} records in \`${options.runs}\`.`,
      '',
      renderWorstCase(read.records, { attackTargets: targets }),
    ].join('\n');
    console.log(body);
    if (options.write) {
      spliceIntoFile(options.write, ADAPTIVE_MARKER, body);
      console.error(`wrote ${options.write}`);
    }
  });

runIfMain(import.meta.url, command);
