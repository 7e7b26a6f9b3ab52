// What the runner needs to know about the registered plugins: their ids, content hashes (for cell keys), option
// schemas (to canonicalise options after defaults) and, for attacks, what the API must return.
// The runner takes this as a parameter so that tests pass fixture registries; the CLI builds it from plugin
// discovery (`benchmark/plugin/registry.ts`, written by the plugin core) through `loadDefaultRegistry`.
import { Ajv, type ValidateFunction, type ErrorObject } from 'ajv';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import type { OracleOutput } from '../plugin/types.ts';

export type PluginKind = 'attack' | 'defense' | 'victim';

export interface RegisteredPlugin {
  id: string;
  /** Content hash of the plugin folder (sha256 hex); enters the key of every cell that uses the plugin. */
  hash: string;
  /** JSON Schema of the options; its `default`s are applied before the cell key is computed. None = no options. */
  options?: Record<string, unknown>;
  /** Attacks: what the API must return for this attack (default 'representation'). */
  output?: OracleOutput;
  /**
   * Optional resolver from the plugin core (validates, applies defaults). When given it replaces the schema route;
   * it must throw an error whose message names the offending option.
   */
  resolveOptions?(raw: Record<string, unknown>): Record<string, unknown>;
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
export interface OptionsIssue {
  path: string;
  message: string;
}

const ajv = new Ajv({ useDefaults: true, allErrors: true, strict: false });
const validators = new WeakMap<object, ValidateFunction>();

/**
 * Options after defaults, or the list of what is wrong with them. A plugin without a schema takes only `{}`.
 * The input is not mutated.
 */
export function resolvePluginOptions(
  plugin: RegisteredPlugin,
  raw: Record<string, unknown>,
): { options: Record<string, unknown> } | { issues: OptionsIssue[] } {
  const copy = structuredClone(raw);
  if (plugin.resolveOptions) {
    try {
      return { options: structuredClone(plugin.resolveOptions(copy)) };
    } catch (error) {
      const path = typeof (error as { path?: unknown }).path === 'string' ? (error as { path: string }).path : '';
      return { issues: [{ path, message: error instanceof Error ? error.message : String(error) }] };
    }
  }
  if (!plugin.options) {
    const keys = Object.keys(copy);
    if (keys.length === 0) return { options: {} };
    return { issues: keys.map((key) => ({ path: `/${key}`, message: `unknown option: this plugin takes no options` })) };
  }
  let validate = validators.get(plugin.options);
  if (!validate) {
    validate = ajv.compile(plugin.options);
    validators.set(plugin.options, validate);
  }
  if (validate(copy)) return { options: copy };
  return { issues: (validate.errors ?? []).map(describeAjvError) };
}

/** Turns an ajv error into a path (JSON pointer of the offending value) and a sentence of what was expected. */
export function describeAjvError(error: ErrorObject): OptionsIssue {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { path: `${error.instancePath}/${String(params.missingProperty)}`, message: 'is required but missing' };
    case 'additionalProperties': {
      const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return {
        path: `${error.instancePath}/${String(params.additionalProperty)}`,
        message: `unknown field; allowed: ${allowed.length ? allowed.join(', ') : '(none)'}`,
      };
    }
    case 'enum':
      return { path: error.instancePath, message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    default:
      return { path: error.instancePath, message: error.message ?? error.keyword };
  }
}

/** A registry from a module that exports it (as `registry` or default): used by tests and alternative setups. */
export async function loadRegistryModule(modulePath: string): Promise<RunnerRegistry> {
  const module = (await import(pathToFileURL(resolve(modulePath)).href)) as { registry?: unknown; default?: unknown };
  const registry = (module.registry ?? module.default) as RunnerRegistry | undefined;
  if (!registry || !Array.isArray(registry.attacks) || !Array.isArray(registry.defenses) || !Array.isArray(registry.victims)) {
    throw new Error(`${modulePath}: expected an export "registry" (or default) with arrays attacks, defenses, victims`);
  }
  return registry;
}

/**
 * The registry of the plugins discovered under `root` (attacks/, defenses/, victims/), through the plugin core's
 * `discoverPlugins`. Tolerant of its exact shape (arrays, maps or records of entries holding the plugin and its hash)
 * because both sides were written at the same time.
 */
export async function loadDefaultRegistry(root: string): Promise<RunnerRegistry> {
  let discover: ((root: string) => Promise<unknown>) | undefined;
  try {
    // Imported by URL: the plugin core is written in parallel and may not exist yet in this checkout.
    const module = (await import(new URL('../plugin/registry.ts', import.meta.url).href)) as { discoverPlugins?: (root: string) => Promise<unknown> };
    discover = module.discoverPlugins;
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
  }
  if (!discover) return { attacks: [], defenses: [], victims: [], problems: [{ folder: 'benchmark/plugin/registry.ts', message: 'plugin discovery is not available' }] };
  const found = (await discover(root)) as Record<string, unknown>;
  let resolveOptions: ((kind: PluginKind, plugin: unknown, raw: unknown) => Record<string, unknown>) | undefined;
  try {
    resolveOptions = ((await import(new URL('../plugin/options.ts', import.meta.url).href)) as { resolveOptions?: typeof resolveOptions }).resolveOptions;
  } catch {
    resolveOptions = undefined;
  }
  const adapt = (kind: PluginKind, collection: unknown): RegisteredPlugin[] => {
    const entries: unknown[] = collection instanceof Map ? [...collection.values()]
      : Array.isArray(collection) ? collection
      : collection && typeof collection === 'object' ? Object.values(collection) : [];
    return entries.map((entry) => adaptEntry(kind, entry as Record<string, unknown>, resolveOptions));
  };
  return {
    attacks: adapt('attack', found.attacks),
    defenses: adapt('defense', found.defenses),
    victims: adapt('victim', found.victims),
    problems: Array.isArray(found.problems) ? (found.problems as { folder: string; message: string }[]) : [],
  };
}

function adaptEntry(
  kind: PluginKind,
  entry: Record<string, unknown>,
  resolveOptions: ((kind: PluginKind, plugin: unknown, raw: unknown) => Record<string, unknown>) | undefined,
): RegisteredPlugin {
  const plugin = (entry.plugin ?? entry.module ?? entry) as { meta?: { id?: string; options?: Record<string, unknown>; needs?: { output?: OracleOutput } } };
  const meta = plugin.meta ?? (entry.meta as typeof plugin.meta) ?? {};
  const id = (meta.id ?? entry.id) as string | undefined;
  const hash = (entry.hash ?? entry.contentHash) as string | undefined;
  if (typeof id !== 'string' || typeof hash !== 'string') {
    throw new Error(`plugin discovery returned a ${kind} entry without an id or a content hash (keys: ${Object.keys(entry).join(', ')})`);
  }
  const registered: RegisteredPlugin = { id, hash };
  if (meta.options) registered.options = meta.options;
  if (kind === 'attack' && meta.needs?.output) registered.output = meta.needs.output;
  if (resolveOptions && kind !== 'victim') {
    registered.resolveOptions = (raw) => resolveOptions(kind, plugin, raw);
  }
  return registered;
}
