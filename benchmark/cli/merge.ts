// `stealbench merge <dirs...> --out <dir>`: joins the results of the shards of a run into one folder, one record per
// cell of the config. Cells no shard recorded are written as skipped (error phase 'missing'); records two shards
// disagree on are reported. Exit code: 0 done, 1 unreadable records (or conflicts with --fail-on-conflict), 2 bad
// config.
import { type Command, CommanderError } from 'commander';
import { relative } from 'node:path';
import { ConfigError } from '../runner/config.ts';
import { mergeResults } from '../runner/merge.ts';
import { addConfigOptions, chooseConfig, chooseRegistry } from './run-config.ts';

interface MergeFlags {
  config?: string;
  profile?: string;
  registry?: string;
  out: string;
  json?: boolean;
  clean?: boolean;
  failOnConflict?: boolean;
}

export function register(program: Command): void {
  const command = program
    .command('merge')
    .description('Join shard result folders into one: every cell of the config once, missing cells marked as missing')
    .argument('<dirs...>', 'result folders of the shards (each holding results/<key>.json, or the records themselves)')
    .requiredOption('--out <dir>', 'folder to write the merged records to (<out>/results/<key>.json)')
    .option('--json', 'print the merge report as JSON')
    .option('--clean', 'delete records in <out>/results that are not cells of the config')
    .option('--fail-on-conflict', 'exit 1 when two shards recorded the same cell differently');
  addConfigOptions(command).action(async (dirs: string[], flags: MergeFlags) => {
    let report;
    try {
      const { config, source } = chooseConfig(flags);
      const registry = await chooseRegistry(flags.registry);
      report = await mergeResults({ dirs, outDir: flags.out, config, registry, source, clean: Boolean(flags.clean) });
    } catch (error) {
      if (error instanceof ConfigError) command.error(error.message, { exitCode: 2 });
      throw error;
    }
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      const rel = (file: string) => relative(process.cwd(), file) || '.';
      const lines = [
        `merged ${dirs.length} folder(s) -> ${rel(report.outDir)}: ${report.total} ` +
          `cells, ${report.found} recorded, ${report.missing.length} missing ` +
          `(written as skipped/missing), ${report.conflicts.length} conflicting`,
        ...report.missing.map((key) => `  missing  ${key}`),
        ...report.conflicts.map(
          (c) =>
            `  conflict ${c.key}: ${c.fields.join(', ')} differ between ${c.files.map(rel).join(' and ')}; ` +
            `kept ${rel(c.kept)}`,
        ),
        ...report.invalid.map((bad) => `  invalid  ${rel(bad.file)}: ${bad.problems.join('; ')}`),
      ];
      if (report.foreign.length)
        lines.push(
          `  ${report.foreign.length} record(s) in the inputs are not cells of ` +
            `this config (another config or harness version) and were left out`,
        );
      if (report.stale.length)
        lines.push(
          `  ${report.stale.length} record(s) in ${rel(report.outDir)}/results ` +
            `are not cells of this config${flags.clean ? ' and were deleted' : ' (use --clean to delete them)'}`,
        );
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    if (report.invalid.length || (flags.failOnConflict && report.conflicts.length)) {
      throw new CommanderError(1, 'stealbench.merge.problems', 'merge found unreadable records or conflicts');
    }
  });
}
