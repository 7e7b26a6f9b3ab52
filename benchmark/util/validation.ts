// The harness's one JSON Schema validator and its one way of reporting problems. Config files, plugin options and
// meta, victim recipes, result records, augmentation specs and the test kit all validate through `ajv` here and turn
// ajv's errors into `ValidationIssue`s with `formatIssues`, so a contributor sees the same words for the same mistake
// wherever it is made, and tests can assert on `{ path, keyword }` instead of on English text.
import { Ajv, type AnySchema, type ErrorObject, type ValidateFunction } from 'ajv';

/**
 * The one ajv instance. `strict` catches typos in schemas (`defualt`, `minimun`); `useDefaults` fills in defaults (so
 * validate a copy when the caller's object must stay as written); `allErrors` reports every problem at once;
 * `verbose` keeps the schema and the data next to each error, so an unknown key can be answered with the allowed ones
 * and a wrong value can be quoted.
 */
export const ajv = new Ajv({ strict: true, allowUnionTypes: true, useDefaults: true, allErrors: true, verbose: true });
/**
 * `secret: true` on a property of a defense's options schema marks a value only the provider may know (a watermark
 * key):
 * adaptive attacks get the defense's options without it (benchmark/plugin/public-options.ts). An annotation only.
 */
ajv.addKeyword({ keyword: 'secret', schemaType: 'boolean' });

/** One problem with a JSON value. */
export interface ValidationIssue {
  /** JSON pointer of the offending value ('' is the value itself). For a missing or unknown key, the key's pointer. */
  path: string;
  /** The JSON Schema keyword that failed (`required`, `additionalProperties`, `enum`, `minimum`, …). */
  keyword: string;
  /** What was expected, as a sentence fragment ("is required but missing", "must be >= 1"). */
  message: string;
  /** For an unknown key: the keys allowed at that level. */
  allowed?: string[];
  /** The offending value, when there is one. */
  found?: unknown;
}

const validators = new WeakMap<object, ValidateFunction>();

/**
 * The compiled validator of a schema, compiled once per schema object. A schema with an `$id` that the instance
 * already holds is looked up instead of compiled again (ajv refuses two schemas with one id).
 */
export function compileSchema<T = unknown>(schema: AnySchema): ValidateFunction<T> {
  if (typeof schema === 'object' && schema !== null) {
    const cached = validators.get(schema);
    if (cached) return cached as ValidateFunction<T>;
    const id = (schema as { $id?: unknown }).$id;
    const known = typeof id === 'string' ? ajv.getSchema(id) : undefined;
    const validate = (known ?? ajv.compile(schema)) as ValidateFunction<T>;
    validators.set(schema, validate);
    return validate;
  }
  return ajv.compile(schema) as ValidateFunction<T>;
}

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** ajv's errors as issues: one per offending value; branch repeats (`if`, `oneOf` summaries) and duplicates dropped. */
export function formatIssues(errors: readonly ErrorObject[] | null | undefined): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors ?? []) {
    // `if/then` repeats its branch's failure, and `oneOf`/`anyOf` add a summary after their branches' own errors.
    if (error.keyword === 'if' || error.keyword === 'oneOf' || error.keyword === 'anyOf') {
      if (issues.some((issue) => issue.path.startsWith(error.instancePath))) continue;
    }
    const issue = toIssue(error);
    const id = `${issue.path}\0${issue.keyword}\0${issue.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    issues.push(issue);
  }
  return issues;
}

function toIssue(error: ErrorObject): ValidationIssue {
  const params = error.params as Record<string, unknown>;
  const parent = (error.parentSchema ?? {}) as { properties?: Record<string, unknown> };
  switch (error.keyword) {
    case 'required':
      return {
        path: `${error.instancePath}/${escapePointer(String(params.missingProperty))}`,
        keyword: 'required',
        message: 'is required but missing',
      };
    case 'additionalProperties':
      return {
        path: `${error.instancePath}/${escapePointer(String(params.additionalProperty))}`,
        keyword: 'additionalProperties',
        message: 'unknown key',
        allowed: Object.keys(parent.properties ?? {}),
      };
    case 'enum':
      return {
        path: error.instancePath,
        keyword: 'enum',
        message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
        ...('data' in error ? { found: error.data } : {}),
      };
    default:
      return {
        path: error.instancePath,
        keyword: error.keyword,
        message: error.message ?? `fails ${error.keyword}`,
        ...('data' in error ? { found: error.data } : {}),
      };
  }
}

/** A value for "found …": short JSON, `undefined` spelled out. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

/** One issue as one line: `<where><path>: <message>, found <value>; allowed: <keys>`. */
export function renderIssue(issue: ValidationIssue, where = ''): string {
  let text = `${where}${issue.path || (where ? '' : '/')}: ${issue.message}`;
  if ('found' in issue) text += `, found ${describeValue(issue.found)}`;
  if (issue.allowed)
    text += issue.allowed.length ? `; allowed: ${issue.allowed.join(', ')}` : '; no keys are allowed here';
  return text;
}

/** Every issue, one per line, each prefixed (e.g. with two spaces and a dash). */
export function renderIssues(issues: readonly ValidationIssue[], prefix = '  - ', where = ''): string {
  return issues.map((issue) => `${prefix}${renderIssue(issue, where)}`).join('\n');
}

/** Validates and returns the issues (empty when valid). `data` is validated as given: defaults are filled into it. */
export function validate(schema: AnySchema, data: unknown): ValidationIssue[] {
  const check = compileSchema(schema);
  return check(data) ? [] : formatIssues(check.errors);
}

/** The one message for a plugin id that no folder provides (config, CLI, executor and kit all use it). */
export function unknownPluginMessage(kind: string, id: string, known: readonly string[], whyBroken?: string): string {
  if (whyBroken) return `${kind} '${id}' exists but does not load: ${whyBroken}`;
  return `unknown ${kind} '${id}'; registered ${kind}s: ${known.length ? known.join(', ') : '(none)'}`;
}
