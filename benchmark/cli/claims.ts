// `stealbench claims`: checks the paper's findings against the result records and prints the "Paper findings"
// table; `--write FILE` (repeatable) puts the same table into each file between `<!-- paper-findings:start -->` and
// `<!-- paper-findings:end -->` (appended under a "## Paper findings" heading when a file has no markers yet).
import type { Command } from 'commander';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { evaluateFindings, renderFindings } from '../claims/index.ts';
import { spliceMarkedBlock } from '../claims/markers.ts';
import { readRecords, RecordFileError } from '../leaderboard/read-records.ts';

export const FINDINGS_MARKER = 'paper-findings';
export const FINDINGS_HEADING = '## Paper findings';

export interface ClaimsOptions {
  results: string;
  write?: string[];
  victim?: string[];
  profile?: string;
}

/** The findings Markdown for the records in `results` (a folder with results/*.json, or that folder itself). */
export function claimsMarkdown(options: ClaimsOptions): string {
  const { records } = readRecords(options.results);
  return renderFindings(evaluateFindings(records, options.victim), options.profile);
}

function writeInto(file: string, body: string): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const next = spliceMarkedBlock(text, FINDINGS_MARKER, body, file, FINDINGS_HEADING);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, next);
  renameSync(temp, file);
}

export function register(program: Command): void {
  program
    .command('claims')
    .description("check the paper's findings against the result records and print the Paper findings table")
    .option('--results <dir>', 'folder holding results/*.json (or the results folder itself)', 'leaderboard')
    .option('--write <file...>', 'put the table into these Markdown files between the paper-findings markers')
    .option('--victim <id...>', 'victims to check the findings on (default: simclr-fmnist when recorded)')
    .option('--profile <name>', 'profile named in the table as the one that regenerates the records', 'claims')
    .action(function (this: Command, opts: ClaimsOptions) {
      if (!existsSync(opts.results)) this.error(`--results ${opts.results}: no such folder`, { exitCode: 2 });
      let markdown: string;
      try {
        markdown = claimsMarkdown(opts);
      } catch (error) {
        if (error instanceof RecordFileError) this.error(error.message, { exitCode: 2 });
        throw error;
      }
      console.log(markdown);
      for (const file of opts.write ?? []) {
        writeInto(file, markdown);
        console.error(`${file}: paper findings written between the ${FINDINGS_MARKER} markers`);
      }
    });
}
