// Plugin options: one shared ajv factory, validators compiled once per options schema and cached, defaults merged,
// the result deep-frozen so a plugin cannot change the options it was given (ESLint's rule options, same idea).
// Errors name the plugin, the option (as a JSON pointer), what was expected and what was found; for an unknown key
// they list the keys the plugin does accept.
import type { ValidateFunction } from 'ajv';
import { ajv, describeValue, formatIssues, renderIssue, type ValidationIssue } from '../util/validation.ts';
import type { PluginKind } from './types.ts';

/** What the options code needs to know about a plugin: its id and (maybe) its options schema. */
export interface OptionsCarrier {
  meta: { id: string; options?: unknown };
}

/** One problem with a plugin's options; `path` is a JSON pointer into the options object. */
export type OptionIssue = ValidationIssue;

/** Options given to a plugin do not satisfy its schema. */
export class PluginOptionsError extends Error {
  override name = 'PluginOptionsError';
  constructor(
    readonly kind: PluginKind,
    readonly plugin: string,
    readonly issues: OptionIssue[],
  ) {
    super(`${kind} '${plugin}': invalid options:\n${issues.map((issue) => `  - ${formatIssue(issue)}`).join('\n')}`);
  }
}

/** A plugin's options schema itself is broken (does not compile under ajv strict mode, or is not an object schema). */
export class PluginSchemaError extends Error {
  override name = 'PluginSchemaError';
  constructor(
    readonly kind: PluginKind,
    readonly plugin: string,
    detail: string,
  ) {
    super(`${kind} '${plugin}': its options schema (meta.options) is not usable: ${detail}`);
  }
}

const validators = new WeakMap<object, ValidateFunction>();

/** Render a JSON pointer for humans: the empty pointer is the options object itself. */
export function formatPointer(path: string): string {
  return path === '' ? '(options)' : path;
}

function formatIssue(issue: OptionIssue): string {
  return renderIssue({ ...issue, path: formatPointer(issue.path) });
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Options schemas are closed at the top level unless the plugin says otherwise, so typos never pass silently. */
function closedCopy(schema: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...schema };
  // The copy is compiled into a shared ajv instance: an $id would clash with another plugin compiled earlier.
  delete copy.$id;
  const open = 'additionalProperties' in copy || 'patternProperties' in copy || 'unevaluatedProperties' in copy;
  if (!open) copy.additionalProperties = false;
  return copy;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The compiled (and cached) validator of a plugin's options schema; `null` for a plugin without one. */
export function compileOptionsSchema(kind: PluginKind, plugin: OptionsCarrier): ValidateFunction | null {
  const schema = plugin.meta.options;
  if (schema === undefined) return null;
  if (!isPlainObject(schema))
    throw new PluginSchemaError(kind, plugin.meta.id, `expected a JSON Schema object, found ${describeValue(schema)}`);
  const cached = validators.get(schema);
  if (cached) return cached;
  if (schema.type !== 'object') {
    throw new PluginSchemaError(
      kind,
      plugin.meta.id,
      `the top level must be { "type": "object", "properties": ... }, found type ${describeValue(schema.type)}`,
    );
  }
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(closedCopy(schema));
  } catch (error) {
    throw new PluginSchemaError(kind, plugin.meta.id, error instanceof Error ? error.message : String(error));
  }
  validators.set(schema, validate);
  return validate;
}

/** Options speak of options, not keys. */
function optionWording(issue: OptionIssue): OptionIssue {
  return issue.keyword === 'additionalProperties' ? { ...issue, message: 'unknown option' } : issue;
}

/** Recursively freeze an options object so that a plugin that writes to its options fails loudly (in strict mode). */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value) && !ArrayBuffer.isView(value)) {
    for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}

/**
 * Validate raw options (from a benchmark config, a test case, the CLI) against the plugin's schema, fill in defaults
 * and return a deep-frozen copy. The caller's object is never modified. A plugin without a schema accepts only `{}`
 * or `undefined`.
 */
export function resolveOptions<Options = Record<string, unknown>>(
  kind: PluginKind,
  plugin: OptionsCarrier,
  rawOptions: unknown,
): Readonly<Options> {
  const id = plugin.meta.id;
  const raw = rawOptions ?? {};
  if (!isPlainObject(raw)) {
    const found = Array.isArray(raw) ? raw : typeof raw;
    throw new PluginOptionsError(kind, id, [
      { path: '', keyword: 'type', message: 'options must be a plain JSON object', found },
    ]);
  }
  const validate = compileOptionsSchema(kind, plugin);
  if (!validate) {
    const keys = Object.keys(raw);
    if (keys.length === 0) return deepFreeze({}) as Readonly<Options>;
    throw new PluginOptionsError(
      kind,
      id,
      keys.map((key) => ({
        path: `/${escapePointer(key)}`,
        keyword: 'additionalProperties',
        message: 'unknown option (this plugin has no options schema, so it takes no options)',
        allowed: [],
      })),
    );
  }
  let options: Record<string, unknown>;
  try {
    options = structuredClone(raw);
  } catch {
    const message = 'options must be plain JSON data (no functions, class instances or symbols)';
    throw new PluginOptionsError(kind, id, [{ path: '', keyword: 'type', message }]);
  }
  if (!validate(options)) throw new PluginOptionsError(kind, id, formatIssues(validate.errors).map(optionWording));
  return deepFreeze(options) as Readonly<Options>;
}

/** Check every `default` in a schema against the sub-schema it sits in (ajv does not do this by itself). */
export function checkOptionDefaults(kind: PluginKind, plugin: OptionsCarrier): OptionIssue[] {
  const schema = plugin.meta.options;
  if (!isPlainObject(schema)) return [];
  const issues: OptionIssue[] = [];
  const visit = (node: unknown, path: string): void => {
    if (!isPlainObject(node)) return;
    if ('default' in node && !JSON.stringify(node).includes('"$ref"')) {
      const { default: value, ...rest } = node;
      try {
        const validate = ajv.compile(rest);
        if (!validate(structuredClone(value))) {
          const why = ajv.errorsText(validate.errors, { dataVar: 'default' });
          issues.push({
            path,
            keyword: 'default',
            message: `default does not satisfy its own schema (${why})`,
            found: value,
          });
        }
      } catch (error) {
        throw new PluginSchemaError(
          kind,
          plugin.meta.id,
          `at ${formatPointer(path)}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    const properties = node.properties;
    if (isPlainObject(properties))
      for (const [key, child] of Object.entries(properties)) visit(child, `${path}/${escapePointer(key)}`);
    if (isPlainObject(node.items)) visit(node.items, `${path}/items`);
  };
  visit(schema, '');
  return issues;
}

export interface OptionDescription {
  name: string;
  type: string;
  default?: unknown;
  required: boolean;
  description?: string;
}

/** One row per top-level option, for `stealbench list` and READMEs. */
export function describeOptions(plugin: OptionsCarrier): OptionDescription[] {
  const schema = plugin.meta.options;
  if (!isPlainObject(schema) || !isPlainObject(schema.properties)) return [];
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  return Object.entries(schema.properties).map(([name, child]) => {
    const node = isPlainObject(child) ? child : {};
    const type = typeName(node);
    const row: OptionDescription = { name, type, required: required.has(name) };
    if ('default' in node) row.default = node.default;
    if (typeof node.description === 'string') row.description = node.description;
    return row;
  });
}

/** A schema node's type as one word for humans: `"a"|"b"` for enums, `number|"calibrate"` for anyOf/oneOf. */
function typeName(node: Record<string, unknown>): string {
  if (Array.isArray(node.enum)) return node.enum.map((v) => JSON.stringify(v)).join('|');
  if ('const' in node) return JSON.stringify(node.const);
  const alternatives = node.anyOf ?? node.oneOf;
  if (Array.isArray(alternatives)) return alternatives.map((a) => typeName(isPlainObject(a) ? a : {})).join('|');
  return Array.isArray(node.type) ? node.type.join('|') : String(node.type ?? 'any');
}
