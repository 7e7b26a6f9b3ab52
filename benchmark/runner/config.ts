// The benchmark config: reading, schema validation (schemas/config.schema.json), defaults, and profiles.
// A bad config must stop a run before any work: every problem is collected into one ConfigError naming the file,
// the JSON path, what was expected and what was found. Checks that need the plugin registry (known ids, plugin
// options) happen in `expandGrid`, which throws the same error type.
import type { ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { compileSchema, describeValue, formatIssues, renderIssue, type ValidationIssue } from '../util/validation.ts';

export interface PluginChoice {
  id: string;
  /** Option sets; one grid entry each. Omitted = `[{}]` (the plugin's defaults). */
  options?: Record<string, unknown>[];
}

export interface RunLimits {
  cellTimeoutSeconds: number;
  memoryMB: number;
  concurrency: number | 'auto';
}

export interface RunConfig {
  $schema?: string;
  name: string;
  description?: string;
  victims: string[];
  defenses: PluginChoice[];
  attacks: PluginChoice[];
  budgets: number[];
  pools: string[];
  seeds: number[];
  downstream: string[];
  limits: RunLimits;
  /** Sub-grids, each overriding some top-level lists; the run is their union. */
  grids?: SubGrid[];
  /** Output folder, relative to the working directory. */
  output: string;
}

export interface SubGrid {
  name?: string;
  victims?: string[];
  defenses?: PluginChoice[];
  attacks?: PluginChoice[];
  budgets?: number[];
  pools?: string[];
  seeds?: number[];
}

/** Identity helper so that a config written in TypeScript is type-checked (Vite's defineConfig). */
export function defineRunConfig(config: RunConfig): RunConfig {
  return config;
}

export interface ConfigIssue {
  /** JSON pointer into the config, e.g. `/attacks/1/options/0/lr`. */
  path: string;
  message: string;
  /** The JSON Schema keyword that failed, when the issue comes from a schema (see benchmark/util/validation.ts). */
  keyword?: string;
}

export class ConfigError extends Error {
  readonly source: string;
  readonly issues: ConfigIssue[];
  constructor(source: string, issues: ConfigIssue[]) {
    super(
      `${source}: invalid benchmark config\n${issues.map((issue) => `  ${issue.path || '/'}: ${issue.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
    this.source = source;
    this.issues = issues;
  }
}

export const CONFIG_SCHEMA_PATH = fileURLToPath(new URL('../../schemas/config.schema.json', import.meta.url));
export const PROFILES_DIR = fileURLToPath(new URL('../profiles/', import.meta.url));
export const PROFILE_NAMES = ['smoke', 'quick', 'paper', 'nightly', 'claims'] as const;
export const DEFAULT_PROFILE = 'quick';

let validateSchema: ValidateFunction | undefined;
function schemaValidator(): ValidateFunction {
  validateSchema ??= compileSchema(JSON.parse(readFileSync(CONFIG_SCHEMA_PATH, 'utf8')) as object);
  return validateSchema;
}

/** The value at a JSON pointer, for "found ..." in messages. */
export function valueAt(root: unknown, pointer: string): unknown {
  if (!pointer) return root;
  let value: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

export function describeFound(value: unknown): string {
  return value === undefined ? 'nothing' : describeValue(value);
}

/** A schema issue as a config issue: the message says what was expected and, for a wrong value, what was found. */
export function configIssue(issue: ValidationIssue, root: unknown): ConfigIssue {
  const found =
    issue.keyword === 'required' || issue.keyword === 'additionalProperties' ? undefined : valueAt(root, issue.path);
  const { path: _path, found: _found, ...rest } = issue;
  const message = renderIssue({ ...rest, path: '', ...(found === undefined ? {} : { found }) }).replace(/^\/: /, '');
  return { path: issue.path, keyword: issue.keyword, message: found === undefined ? message : `expected: ${message}` };
}

/**
 * Validates a parsed config against the schema and fills in defaults (limits, output). Returns a new object.
 * `source` names the file in error messages.
 */
export function validateConfig(raw: unknown, source: string): RunConfig {
  const copy = structuredClone(raw);
  const validate = schemaValidator();
  if (!validate(copy))
    throw new ConfigError(
      source,
      formatIssues(validate.errors).map((issue) => configIssue(issue, raw)),
    );
  const config = copy as RunConfig;
  config.output ??= `runs/${config.name}`;
  return config;
}

/** Reads and validates a config file. Throws ConfigError (also for a missing file or broken JSON). */
export function loadConfigFile(file: string): RunConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [{ path: '', message: `cannot read the file (${(error as Error).message})` }]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(file, [
      { path: '', message: `not valid JSON: ${describeJsonSyntaxError(error as Error, text)}` },
    ]);
  }
  return validateConfig(raw, file);
}

function describeJsonSyntaxError(error: Error, text: string): string {
  const position = jsonErrorPosition(text);
  if (position === undefined) return error.message;
  const before = text.slice(0, position).split('\n');
  return `${error.message.split('\n')[0]} (line ${before.length}, column ${before.at(-1)!.length + 1})`;
}

/**
 * Where JSON.parse gives up, found by bisection (Node 20's messages carry no position): a prefix that is merely
 * cut short fails with "end of input"-like errors, a prefix holding the real error fails with another one, and
 * every longer prefix holds it too.
 */
function jsonErrorPosition(text: string): number | undefined {
  const holdsError = (length: number): boolean => {
    try {
      JSON.parse(text.slice(0, length));
      return false;
    } catch (error) {
      const message = (error as Error).message;
      if (/end of JSON input|Unterminated string/.test(message)) return false;
      const at = /position (\d+)/.exec(message);
      return !(at && Number(at[1]) >= length);
    }
  };
  if (!holdsError(text.length)) return undefined;
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (holdsError(mid)) high = mid;
    else low = mid + 1;
  }
  return Math.max(0, low - 1);
}

export function profilePath(name: string): string {
  if (!(PROFILE_NAMES as readonly string[]).includes(name)) {
    throw new ConfigError(`--profile ${name}`, [
      { path: '', message: `unknown profile; expected one of ${PROFILE_NAMES.join(', ')}` },
    ]);
  }
  return `${PROFILES_DIR}${name}.json`;
}

export function loadProfile(name: string): RunConfig {
  return loadConfigFile(profilePath(name));
}

/** The number of cells to run at once: an explicit number, or one per core. */
export function resolveConcurrency(value: number | 'auto'): number {
  return value === 'auto' ? Math.max(1, availableParallelism()) : value;
}
