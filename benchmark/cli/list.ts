// `stealbench list [--json]`: what is registered — attacks, defenses, victims (id, title, kind or needs, options with
// their defaults) — the data splits the data layer publishes, and every plugin folder that failed to load.
// The data (`collectListing`) is separate from its rendering (`renderListing`), so --json prints the same facts.
import type { Command } from 'commander';
import { listDataSplits, type SplitSummary } from '../plugin/data-splits.ts';
import { describeOptions, resolveOptions, type OptionDescription } from '../plugin/options.ts';
import { discoverPlugins, projectRoot, type PluginProblem } from '../plugin/registry.ts';
import type { PluginKind } from '../plugin/types.ts';

export interface ListedPlugin {
  kind: PluginKind;
  id: string;
  title: string;
  paper?: string;
  description?: string;
  /** Defense kind (active | passive | reactive | proactive). */
  defenseKind?: string;
  /** Attack needs. */
  needs?: Record<string, unknown>;
  /** Attacks: the defense ids an adaptive attack is designed against (`meta.targets`); absent for oblivious attacks. */
  targets?: string[];
  /** Defense entry functions present. */
  hooks?: string[];
  options: OptionDescription[];
  /** The full default options; null when some options are required and have no default. */
  defaults: Record<string, unknown> | null;
  /** Victims: the training recipe. */
  recipe?: Record<string, unknown>;
  hash: string;
}

export interface Listing {
  attacks: ListedPlugin[];
  defenses: ListedPlugin[];
  victims: ListedPlugin[];
  splits: SplitSummary[] | null;
  /** Why `splits` is null. */
  splitsNote?: string;
  problems: PluginProblem[];
}

function defaultsOf(
  kind: PluginKind,
  plugin: { meta: { id: string; options?: unknown } },
): Record<string, unknown> | null {
  try {
    return structuredClone(resolveOptions(kind, plugin, {})) as Record<string, unknown>;
  } catch {
    return null;
  }
}

export async function collectListing(root: string = projectRoot): Promise<Listing> {
  const registry = await discoverPlugins(root);
  const split = await listDataSplits();
  const listing: Listing = {
    attacks: registry.attacks.map(({ id, raw, hash }) => ({
      kind: 'attack' as const,
      id,
      title: raw.meta.title,
      paper: raw.meta.paper,
      description: raw.meta.description,
      needs: { output: 'representation', labels: false, ...raw.meta.needs },
      ...(Array.isArray(raw.meta.targets) ? { targets: [...raw.meta.targets] } : {}),
      options: describeOptions(raw),
      defaults: defaultsOf('attack', raw),
      hash,
    })),
    defenses: registry.defenses.map(({ id, raw, hash }) => ({
      kind: 'defense' as const,
      id,
      title: raw.meta.title,
      paper: raw.meta.paper,
      description: raw.meta.description,
      defenseKind: raw.meta.kind,
      hooks: (['guard', 'prepareVictim', 'verifyOwnership'] as const).filter((hook) => raw.hooks.includes(hook)),
      options: describeOptions(raw),
      defaults: defaultsOf('defense', raw),
      hash,
    })),
    victims: registry.victims.map(({ id, raw, hash }) => ({
      kind: 'victim' as const,
      id,
      title: raw.meta.title,
      paper: raw.meta.paper,
      description: raw.meta.description,
      recipe: raw.recipe,
      options: [],
      defaults: {},
      hash,
    })),
    splits: split.splits,
    problems: registry.problems,
  };
  if (split.splits === null) listing.splitsNote = split.note;
  return listing;
}

function optionText(option: OptionDescription): string {
  const value =
    'default' in option ? `= ${JSON.stringify(option.default)}` : option.required ? '(required)' : '(optional)';
  return `${option.name}: ${option.type} ${value}`;
}

function section(title: string, rows: string[][], details: string[][] = []): string[] {
  const lines = [`${title} (${rows.length})`];
  if (rows.length === 0) return [...lines, '  (none)', ''];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  rows.forEach((row, r) => {
    lines.push(
      `  ${row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ')}`.trimEnd(),
    );
    for (const detail of details[r] ?? []) lines.push(`      ${detail}`);
  });
  return [...lines, ''];
}

export function renderListing(listing: Listing): string {
  const optionLines = (p: ListedPlugin) =>
    p.options.length ? [`options: ${p.options.map(optionText).join(', ')}`] : ['options: none'];
  const lines = [
    ...section(
      'Attacks',
      listing.attacks.map((a) => [
        a.id,
        a.title,
        `needs ${String(a.needs?.output)}${a.needs?.labels ? ' + pool labels' : ''}${a.targets ? `; targets ${a.targets.join(', ')}` : ''}`,
      ]),
      listing.attacks.map(optionLines),
    ),
    ...section(
      'Defenses',
      listing.defenses.map((d) => [d.id, d.title, `${d.defenseKind} (${d.hooks!.join(', ')})`]),
      listing.defenses.map(optionLines),
    ),
    ...section(
      'Victims',
      listing.victims.map((v) => {
        const recipe = v.recipe as { method?: string; encoder?: { arch?: string }; data?: string } | undefined;
        return [v.id, v.title, `${recipe?.method} ${recipe?.encoder?.arch} on ${recipe?.data}`];
      }),
    ),
  ];
  if (listing.splits === null) lines.push('Data splits', `  (not listed: ${listing.splitsNote})`, '');
  else {
    lines.push(
      ...section(
        'Data splits',
        listing.splits.map((s) => [
          s.name,
          s.count === undefined ? '' : `${s.count}${s.shape ? ` × ${s.shape.join('×')}` : ''}`,
          s.description ?? '',
        ]),
      ),
    );
  }
  if (listing.problems.length) {
    const folders = [...new Set(listing.problems.map((p) => p.folder))];
    lines.push(`Problems: ${folders.length} folder${folders.length === 1 ? '' : 's'} not registered`);
    for (const folder of folders) {
      lines.push(`  ${folder}`);
      for (const problem of listing.problems.filter((p) => p.folder === folder)) lines.push(`    - ${problem.message}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

export function register(program: Command): void {
  program
    .command('list')
    .description(
      'show the registered attacks, defenses and victims, their options and ' +
        'defaults, the data splits, and plugin folders that fail to load',
    )
    .option('--json', 'print the listing as JSON')
    .option('--root <dir>', 'project root holding attacks/, defenses/, victims/', projectRoot)
    .action(async (options: { json?: boolean; root: string }) => {
      const listing = await collectListing(options.root);
      process.stdout.write(options.json ? `${JSON.stringify(listing, null, 2)}\n` : `${renderListing(listing)}`);
    });
}
