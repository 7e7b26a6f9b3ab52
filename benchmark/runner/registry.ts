// What the runner needs to know about the registered plugins: their ids, content hashes (for cell keys), option
// schemas (to canonicalise options after defaults) and, for attacks, what the API must return.
// The runner takes this as a parameter so that tests pass fixture registries; the CLI builds it from plugin
// discovery (`benchmark/plugin/registry.ts`, written by the plugin core) through `loadDefaultRegistry`.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { discoverPlugins, type Registry } from '../plugin/registry.ts';
import { PluginOptionsError, resolveOptions } from '../plugin/options.ts';
import type { OracleOutput, PluginKind } from '../plugin/types.ts';
import type { ValidationIssue } from '../util/validation.ts';

export type { PluginKind };

export interface RegisteredPlugin {
  id: string;
  /** Content hash of the plugin folder (sha256 hex); enters the key of every cell that uses the plugin. */
  hash: string;
  /**
   * JSON Schema of the options (the plugin's `meta.options`); validated, with its `default`s applied, by the plugin
   * core's `resolveOptions` before the cell key is computed. None = the plugin takes no options.
   */
  options?: Record<string, unknown>;
  /** Attacks: what the API must return for this attack (default 'representation'). */
  output?: OracleOutput;
  /**
   * Victims: the independently trained victims that ownership tests must not flag (`meta.ownershipControls`). Their
   * content hashes enter the key of every cell of this victim.
   */
  ownershipControls?: readonly string[];
}

export interface RunnerRegistry {
  attacks: readonly RegisteredPlugin[];
  defenses: readonly RegisteredPlugin[];
  victims: readonly RegisteredPlugin[];
  /** Plugin folders that failed to load, reported by discovery. */
  problems?: readonly { folder: string; message: string }[];
}

export function registryList(registry: RunnerRegistry, kind: PluginKind): readonly RegisteredPlugin[] {
  return kind === 'attack' ? registry.attacks : kind === 'defense' ? registry.defenses : registry.victims;
}

export function findPlugin(registry: RunnerRegistry, kind: PluginKind, id: string): RegisteredPlugin | undefined {
  return registryList(registry, kind).find((plugin) => plugin.id === id);
}

/** One problem with a plugin's options, located by a JSON pointer inside the options object. */
export type OptionsIssue = ValidationIssue;

/**
 * Options after defaults, or the list of what is wrong with them: the plugin core's `resolveOptions`, the same
 * validation and defaults the plugin itself sees. A plugin without a schema takes only `{}`. The input is not mutated.
 */
export function resolvePluginOptions(
  kind: PluginKind,
  plugin: RegisteredPlugin,
  raw: Record<string, unknown>,
): { options: Record<string, unknown> } | { issues: OptionsIssue[] } {
  try {
    const carrier = { meta: { id: plugin.id, ...(plugin.options === undefined ? {} : { options: plugin.options }) } };
    return { options: structuredClone(resolveOptions(kind, carrier, raw)) as Record<string, unknown> };
  } catch (error) {
    if (error instanceof PluginOptionsError) return { issues: error.issues };
    return {
      issues: [{ path: '', keyword: 'schema', message: error instanceof Error ? error.message : String(error) }],
    };
  }
}

/** A registry from a module that exports it (as `registry` or default): used by tests and alternative setups. */
export async function loadRegistryModule(modulePath: string): Promise<RunnerRegistry> {
  const module = (await import(pathToFileURL(resolve(modulePath)).href)) as { registry?: unknown; default?: unknown };
  const registry = (module.registry ?? module.default) as RunnerRegistry | undefined;
  if (
    !registry ||
    !Array.isArray(registry.attacks) ||
    !Array.isArray(registry.defenses) ||
    !Array.isArray(registry.victims)
  ) {
    throw new Error(`${modulePath}: expected an export "registry" (or default) with arrays attacks, defenses, victims`);
  }
  return registry;
}

/** The runner's view of the plugins discovered under `root` (attacks/, defenses/, victims/) by the plugin core. */
export async function loadDefaultRegistry(root?: string): Promise<RunnerRegistry> {
  return fromPluginRegistry(await discoverPlugins(root));
}

/** The parts of a plugin's meta (plain data, read in the sandbox) that the runner needs. */
interface PluginMetaData {
  options?: Record<string, unknown>;
  needs?: { output?: OracleOutput };
  ownershipControls?: readonly string[];
}

/** Adapts the plugin core's registry to what the runner needs. */
export function fromPluginRegistry(found: Registry): RunnerRegistry {
  const adapt = (kind: PluginKind, entry: { id: string; hash: string; raw: unknown }): RegisteredPlugin => {
    const meta = (entry.raw as { meta: PluginMetaData }).meta;
    const registered: RegisteredPlugin = { id: entry.id, hash: entry.hash };
    if (kind !== 'victim' && meta.options !== undefined) registered.options = meta.options;
    if (kind === 'attack' && meta.needs?.output) registered.output = meta.needs.output;
    if (kind === 'victim' && meta.ownershipControls) registered.ownershipControls = [...meta.ownershipControls];
    return registered;
  };
  return {
    attacks: found.attacks.map((entry) => adapt('attack', entry)),
    defenses: found.defenses.map((entry) => adapt('defense', entry)),
    victims: found.victims.map((entry) => adapt('victim', entry)),
    problems: found.problems,
  };
}
