// What the runner needs to know about the registered plugins: their ids, content hashes (for cell keys), option
// schemas (to canonicalise options after defaults) and, for attacks, what the API must return.
// The runner takes this as a parameter so that tests pass fixture registries; the CLI builds it from plugin
// discovery (`benchmark/plugin/registry.ts`, written by the plugin core) through `loadDefaultRegistry`.
import { Ajv, type ValidateFunction, type ErrorObject } from 'ajv';
import { pathToFileURL } from 'node:url';
import { discoverPlugins, type Registry } from '../plugin/registry.ts';
import { resolveOptions, type OptionsCarrier } from '../plugin/options.ts';
import { resolve } from 'node:path';
import type { OracleOutput, PluginKind } from '../plugin/types.ts';

export type { PluginKind };

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

const ajv = new Ajv({ useDefaults: true, allErrors: true, strict: false, verbose: true });
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
      // The plugin core's PluginOptionsError carries one issue per offending option.
      const issues = (error as { issues?: { path?: unknown; message?: unknown; allowed?: unknown; found?: unknown }[] }).issues;
      if (Array.isArray(issues) && issues.length) {
        return {
          issues: issues.map((issue) => ({
            path: typeof issue.path === 'string' ? issue.path : '',
            message: `${String(issue.message)}${Array.isArray(issue.allowed) ? `; allowed: ${issue.allowed.length ? issue.allowed.join(', ') : '(none)'}` : ''}${issue.found !== undefined ? `, found ${JSON.stringify(issue.found)}` : ''}`,
          })),
        };
      }
      return { issues: [{ path: '', message: error instanceof Error ? error.message : String(error) }] };
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
 * The runner's view of the plugins discovered under `root` (attacks/, defenses/, victims/) by the plugin core.
 * Options are resolved with the plugin core's `resolveOptions` (the same validation and defaults the plugins see).
 */
export async function loadDefaultRegistry(root?: string): Promise<RunnerRegistry> {
  return fromPluginRegistry(await discoverPlugins(root));
}

/** Adapts the plugin core's registry to what the runner needs. */
export function fromPluginRegistry(found: Registry): RunnerRegistry {
  const adapt = (kind: PluginKind, entry: { id: string; hash: string; raw: unknown }): RegisteredPlugin => {
    const plugin = entry.raw as OptionsCarrier & { meta: { needs?: { output?: OracleOutput } } };
    const registered: RegisteredPlugin = { id: entry.id, hash: entry.hash };
    if (kind !== 'victim') {
      registered.resolveOptions = (raw) => resolveOptions(kind, plugin, raw) as Record<string, unknown>;
    }
    const output = plugin.meta.needs?.output;
    if (kind === 'attack' && output) registered.output = output;
    return registered;
  };
  return {
    attacks: found.attacks.map((entry) => adapt('attack', entry)),
    defenses: found.defenses.map((entry) => adapt('defense', entry)),
    victims: found.victims.map((entry) => adapt('victim', entry)),
    problems: found.problems,
  };
}
