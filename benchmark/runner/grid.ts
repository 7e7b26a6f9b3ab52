// Grid expansion and cell keys.
// The grid is victims x defenses (x option sets) x attacks (x option sets) x budgets x pools x seeds, in the order the
// config lists them (stable: the same config gives the same list). Options are canonicalised after the plugin's
// defaults are applied, so `{}` and the defaults written out are the same cell with the same key.
import type { CellSpec } from './record.ts';
import { canonicalJson, sha256Hex } from './canonical.ts';
import { ConfigError, type ConfigIssue, type PluginChoice, type RunConfig } from './config.ts';
import {
  findPlugin,
  registryList,
  resolvePluginOptions,
  type PluginKind,
  type RegisteredPlugin,
  type RunnerRegistry,
} from './registry.ts';
import { harnessVersion } from './version.ts';
import { renderIssue, unknownPluginMessage } from '../util/validation.ts';

/**
 * Content hashes of what a cell uses, keyed `victim:<id>`, `defense:<id>`, `attack:<id>`, and `control:<id>` for each
 * ownership control the victim declares (an independently trained victim that ownership tests must not flag).
 */
export type PluginHashes = Record<string, string>;

const CONTROL_PREFIX = 'control:';

/** The ownership controls of a cell, from its plugin hashes (the executor's source for them), in sorted order. */
export function ownershipControls(hashes: PluginHashes): string[] {
  return Object.keys(hashes)
    .filter((key) => key.startsWith(CONTROL_PREFIX))
    .map((key) => key.slice(CONTROL_PREFIX.length))
    .sort();
}

export interface PlannedCell {
  key: string;
  cell: CellSpec;
  pluginHashes: PluginHashes;
}

/** sha256 of the canonical JSON of the cell, the content hashes of its plugins and victim, and the harness version. */
export function cellKey(cell: CellSpec, hashes: PluginHashes, version: string): string {
  return sha256Hex(canonicalJson({ cell, harnessVersion: version, pluginHashes: hashes }));
}

interface ResolvedChoice {
  plugin: RegisteredPlugin;
  options: Record<string, unknown>;
  /** Where this option set sits in the config, for duplicate reports. */
  path: string;
}

/**
 * Expands the config into cells. Unknown plugin ids, options their schema rejects and option sets that resolve to
 * the same cell are all reported at once as a ConfigError (source names the config file).
 */
export function expandGrid(
  config: RunConfig,
  registry: RunnerRegistry,
  source = config.name,
  version = harnessVersion(),
): PlannedCell[] {
  if (!config.grids) return expandOne(config, registry, source, version, () => '');
  // The union of the sub-grids, in order; a cell that two sub-grids share runs once.
  const planned: PlannedCell[] = [];
  const seen = new Set<string>();
  const issues: ConfigIssue[] = [];
  config.grids.forEach((grid, index) => {
    const { name: _name, ...overrides } = grid;
    try {
      const prefix = (list: string) => (list in overrides ? `/grids/${index}` : '');
      for (const cell of expandOne({ ...config, ...overrides, grids: undefined }, registry, source, version, prefix)) {
        if (seen.has(cell.key)) continue;
        seen.add(cell.key);
        planned.push(cell);
      }
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      issues.push(...error.issues);
    }
  });
  if (issues.length) throw new ConfigError(source, issues);
  return planned;
}

/** One cross product; `prefix(list)` locates a list in the config file (top level or inside a sub-grid). */
function expandOne(
  config: RunConfig,
  registry: RunnerRegistry,
  source: string,
  version: string,
  prefix: (list: string) => string,
): PlannedCell[] {
  const issues: ConfigIssue[] = [];
  const victims: { plugin: RegisteredPlugin; controls: PluginHashes }[] = [];
  config.victims.forEach((id, index) => {
    const path = `${prefix('victims')}/victims/${index}`;
    const plugin = lookup(registry, 'victim', id, path, issues);
    if (plugin) victims.push({ plugin, controls: controlHashes(registry, plugin, path, issues) });
  });
  const defenses = resolveChoices(registry, 'defense', config.defenses, `${prefix('defenses')}/defenses`, issues);
  const attacks = resolveChoices(registry, 'attack', config.attacks, `${prefix('attacks')}/attacks`, issues);
  if (issues.length) throw new ConfigError(source, issues);

  // Every list is duplicate-free (the schema's uniqueItems, and resolveChoices for option sets), so keys are unique.
  const planned: PlannedCell[] = [];
  for (const { plugin: victim, controls } of victims) {
    for (const defense of defenses) {
      for (const attack of attacks) {
        for (const budget of config.budgets) {
          for (const pool of config.pools) {
            for (const seed of config.seeds) {
              const cell: CellSpec = {
                victim: victim.id,
                defense: { id: defense.plugin.id, options: defense.options },
                attack: { id: attack.plugin.id, options: attack.options },
                budget,
                pool,
                seed,
                downstream: [...config.downstream],
                output: attack.plugin.output ?? 'representation',
              };
              const pluginHashes: PluginHashes = {
                [`victim:${victim.id}`]: victim.hash,
                [`defense:${defense.plugin.id}`]: defense.plugin.hash,
                [`attack:${attack.plugin.id}`]: attack.plugin.hash,
                ...controls,
              };
              planned.push({ key: cellKey(cell, pluginHashes, version), cell, pluginHashes });
            }
          }
        }
      }
    }
  }
  return planned;
}

function resolveChoices(
  registry: RunnerRegistry,
  kind: PluginKind,
  choices: PluginChoice[],
  base: string,
  issues: ConfigIssue[],
): ResolvedChoice[] {
  const resolved: ResolvedChoice[] = [];
  const seen = new Map<string, string>();
  choices.forEach((choice, index) => {
    const plugin = lookup(registry, kind, choice.id, `${base}/${index}/id`, issues);
    if (!plugin) return;
    (choice.options ?? [{}]).forEach((raw, optionIndex) => {
      const path = choice.options ? `${base}/${index}/options/${optionIndex}` : `${base}/${index}`;
      const result = resolvePluginOptions(kind, plugin, raw);
      if ('issues' in result) {
        for (const issue of result.issues) {
          const { path: at, ...rest } = issue;
          issues.push({
            path: `${choice.options ? path : `${path}/options/0`}${at}`,
            keyword: issue.keyword,
            message: `${kind} '${plugin.id}' option: ${renderIssue({ ...rest, path: '' }).replace(/^\/: /, '')}`,
          });
        }
        return;
      }
      const identity = canonicalJson([plugin.id, result.options]);
      const earlier = seen.get(identity);
      if (earlier !== undefined) {
        issues.push({
          path,
          message:
            `duplicate: ${kind} "${plugin.id}" with these options (after defaults) ` +
            `is already listed at ${earlier}`,
        });
        return;
      }
      seen.set(identity, path);
      resolved.push({ plugin, options: result.options, path });
    });
  });
  return resolved;
}

function lookup(
  registry: RunnerRegistry,
  kind: PluginKind,
  id: string,
  path: string,
  issues: ConfigIssue[],
): RegisteredPlugin | undefined {
  const plugin = findPlugin(registry, kind, id);
  if (plugin) return plugin;
  const known = registryList(registry, kind).map((entry) => entry.id);
  const problem = registry.problems?.find((entry) =>
    entry.folder.replace(/\\/g, '/').replace(/\/$/, '').endsWith(`${kind}s/${id}`),
  );
  issues.push({ path, message: unknownPluginMessage(kind, id, known, problem?.message) });
  return undefined;
}

/**
 * The content hashes of the victim's ownership controls, keyed `control:<id>`: a control enters the key, so changing
 * which encoder is the control, or retraining it, re-runs the cells whose ownership verdicts it decides.
 */
function controlHashes(
  registry: RunnerRegistry,
  victim: RegisteredPlugin,
  path: string,
  issues: ConfigIssue[],
): PluginHashes {
  const hashes: PluginHashes = {};
  for (const id of victim.ownershipControls ?? []) {
    const control = findPlugin(registry, 'victim', id);
    if (control) hashes[`${CONTROL_PREFIX}${id}`] = control.hash;
    else {
      const known = registryList(registry, 'victim').map((entry) => entry.id);
      const why = unknownPluginMessage('victim', id, known);
      issues.push({
        path,
        message: `victim '${victim.id}' declares ownership control '${id}' (meta.ownershipControls): ${why}`,
      });
    }
  }
  return hashes;
}
