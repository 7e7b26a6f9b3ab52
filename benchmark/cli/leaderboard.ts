// `stealbench leaderboard`: renders LEADERBOARD.md and charts/*.svg from the result records in <results>/results
// (one or several folders: the newest record of each cell wins), and keeps a copy of exactly those records in
// <out>/results so the committed leaderboard can be re-rendered from its own folder. Only generated files are written
// or removed: LEADERBOARD.md, charts/*.svg, results/*.json.
import type { Command } from 'commander';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { renderLeaderboard } from '../leaderboard/render.ts';
import { readRecordsAcross, RecordFileError } from '../leaderboard/read-records.ts';
import { checkReferenceData, type ReferenceData } from '../leaderboard/references.ts';
import { attackTargetsFromRegistry } from '../leaderboard/attack-targets.ts';
import type { AttackTargets } from '../leaderboard/worst-case.ts';
import { projectRoot } from '../plugin/registry.ts';

/** Where the reference rows come from unless --references says otherwise. */
export const DEFAULT_REFERENCES = join(projectRoot, 'victims', 'evaluation.json');

/** The victims evaluation, or undefined (with a warning) when the file does not exist. */
export function readReferences(file: string): ReferenceData | undefined {
  if (!existsSync(file)) {
    console.error(
      `${file}: not found, so the leaderboard has no reference rows and no R (run stealbench evaluate-victims --json)`,
    );
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${error instanceof Error ? error.message : String(error)})`, {
      cause: error,
    });
  }
  return checkReferenceData(parsed, file);
}

/** Attack metas' targets from the registry; problems are reported, their attacks count as oblivious. */
export async function readAttackTargets(): Promise<AttackTargets> {
  const { targets, problems } = await attackTargetsFromRegistry();
  for (const problem of problems) console.error(`${problem} (its attacks count as oblivious in the worst case)`);
  return targets;
}

export interface WriteLeaderboardOptions {
  /**
   * Folders whose `results/*.json` are the records (default `leaderboard`). With several, a cell recorded in more
   * than one counts once, its newest record: the main job re-runs its own cells and keeps the nightly's.
   */
  results: string | readonly string[];
  /** Folder that receives LEADERBOARD.md, charts/ and results/ (default `leaderboard`). */
  out: string;
  title?: string;
  references?: ReferenceData;
  attackTargets?: AttackTargets;
  paperFindings?: boolean;
}

export interface WriteLeaderboardSummary {
  records: number;
  markdownPath: string;
  charts: string[];
}

function writeAtomically(path: string, text: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, path);
}

/** Removes files ending in `ext` from `dir` that are not in `keep` (stale generated output). */
function removeStale(dir: string, ext: string, keep: ReadonlySet<string>): void {
  for (const name of readdirSync(dir)) if (name.endsWith(ext) && !keep.has(name)) rmSync(join(dir, name));
}

export function writeLeaderboard(options: WriteLeaderboardOptions): WriteLeaderboardSummary {
  const folders = typeof options.results === 'string' ? [options.results] : options.results;
  const { records, files, superseded } = readRecordsAcross(folders);
  for (const file of superseded) console.error(`${file}: left out, a newer record of the same cell is in the folder`);
  const { markdown, charts } = renderLeaderboard(records, {
    title: options.title,
    references: options.references,
    attackTargets: options.attackTargets,
    paperFindings: options.paperFindings,
  });

  const out = resolve(options.out);
  const chartsDir = join(out, 'charts');
  const resultsDir = join(out, 'results');
  mkdirSync(chartsDir, { recursive: true });
  mkdirSync(resultsDir, { recursive: true });

  // Records already in <out>/results stay where they are; the others are copied in, and every file there that is
  // not a kept record (an older record of a cell, or one no input holds) is removed.
  for (const file of files)
    if (resolve(file) !== join(resultsDir, basename(file))) copyFileSync(file, join(resultsDir, basename(file)));
  removeStale(resultsDir, '.json', new Set(files.map((f) => basename(f))));
  for (const chart of charts) writeAtomically(join(chartsDir, chart.name), chart.svg);
  removeStale(chartsDir, '.svg', new Set(charts.map((c) => c.name)));
  const markdownPath = join(out, 'LEADERBOARD.md');
  writeAtomically(markdownPath, markdown);
  return { records: records.length, markdownPath, charts: charts.map((c) => join(chartsDir, c.name)) };
}

export function register(program: Command): void {
  program
    .command('leaderboard')
    .description('render LEADERBOARD.md and charts/*.svg from the result records in <results>/results/*.json')
    .option(
      '--results <dirs...>',
      'folders holding results/*.json; with several, the newest record of each cell is kept',
      ['leaderboard'],
    )
    .option('--out <dir>', 'folder for LEADERBOARD.md, charts/ and a copy of the records', 'leaderboard')
    .option('--title <text>', 'heading of the Markdown page')
    .option('--references <file>', 'victims evaluation JSON for the reference rows and R', DEFAULT_REFERENCES)
    .option('--no-references', 'render without reference rows and R')
    .option('--no-attack-metas', 'do not read attack metas from the registry (no attack counts as adaptive)')
    .option('--no-paper-findings', 'leave out the Paper findings section (stealbench claims)')
    .action(async function (
      this: Command,
      opts: {
        results: string[];
        out: string;
        title?: string;
        references: string | false;
        attackMetas: boolean;
        paperFindings: boolean;
      },
    ) {
      for (const folder of opts.results)
        if (!existsSync(folder)) this.error(`--results ${folder}: no such folder`, { exitCode: 2 });
      try {
        const references = opts.references === false ? undefined : readReferences(opts.references);
        const attackTargets = opts.attackMetas ? await readAttackTargets() : undefined;
        const summary = writeLeaderboard({
          results: opts.results,
          out: opts.out,
          title: opts.title,
          references,
          attackTargets,
          paperFindings: opts.paperFindings,
        });
        console.log(`${summary.markdownPath}: ${summary.records} records, ${summary.charts.length} charts`);
      } catch (error) {
        // A bad record stops the render before anything is written, with the file and field named.
        if (error instanceof RecordFileError) this.error(error.message, { exitCode: 2 });
        throw error;
      }
    });
}
