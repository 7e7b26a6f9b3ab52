// Is this object a well-formed plugin of the given kind? Checks `meta` against schemas/plugin-meta.schema.json, that
// the options schema compiles under ajv strict mode, that the entry functions the kind needs are there, and for
// victims that the recipe is valid. Returns every problem as a sentence; the registry, the test kit and
// `stealbench verify-plugin` all use it, so a contributor sees the same words everywhere.
import { readFileSync } from 'node:fs';
import type { ValidateFunction } from 'ajv';
import { ajv, formatIssues, renderIssue } from '../util/validation.ts';
import { compileOptionsSchema, checkOptionDefaults, formatPointer } from './options.ts';
import type { PluginKind } from './types.ts';

const metaSchema = JSON.parse(
  readFileSync(new URL('../../schemas/plugin-meta.schema.json', import.meta.url), 'utf8'),
) as { $id: string };
if (!ajv.getSchema(metaSchema.$id)) ajv.addSchema(metaSchema);

const schemaRef = (definition: string) => {
  const validate = ajv.getSchema(`${metaSchema.$id}#/definitions/${definition}`);
  if (!validate) throw new Error(`schemas/plugin-meta.schema.json has no definitions/${definition}`);
  return validate;
};

const validators = {
  attack: schemaRef('attackMeta'),
  defense: schemaRef('defenseMeta'),
  victim: schemaRef('victimMeta'),
  recipe: schemaRef('victimRecipe'),
};

/**
 * Validates a copy (the shared instance fills in defaults; the plugin's meta is the author's object) and renders each
 * issue located from `where` (`meta/options`, `recipe/epochs`).
 */
function problemsOf(where: string, validate: ValidateFunction, value: unknown): string[] {
  let copy: unknown;
  try {
    copy = structuredClone(value);
  } catch {
    return [`${where}: must be plain JSON data (no functions, class instances or symbols)`];
  }
  if (validate(copy)) return [];
  return formatIssues(validate.errors).map((issue) => renderIssue(issue, where));
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object';

/** Guess a plugin's kind from its shape (for `verify-plugin` on a folder outside attacks/, defenses/, victims/). */
export function guessPluginKind(plugin: unknown): PluginKind | null {
  if (!isObject(plugin)) return null;
  // A plugin read as data (discovery) lists its functions by name in `hooks`.
  const hooks = Array.isArray(plugin.hooks) ? (plugin.hooks as unknown[]) : [];
  if (typeof plugin.steal === 'function' || hooks.includes('steal')) return 'attack';
  if (isObject(plugin.recipe)) return 'victim';
  if (isObject(plugin.meta) && 'kind' in plugin.meta) return 'defense';
  return null;
}

/** Every problem with a plugin object, as sentences a contributor can act on; empty when the plugin is well-formed. */
export function checkPluginShape(kind: PluginKind, plugin: unknown): string[] {
  if (!isObject(plugin))
    return [
      `the default export must be a ${kind} plugin object (use define${kind[0]!.toUpperCase()}${kind.slice(1)}), ` +
        `found ${plugin === null ? 'null' : typeof plugin}`,
    ];
  if (!isObject(plugin.meta))
    return ['the plugin has no meta object: export default { meta: { id, title, ... }, ... }'];
  const problems: string[] = [];
  problems.push(...problemsOf('meta', validators[kind], plugin.meta));

  if (kind !== 'victim' && plugin.meta.options !== undefined && typeof plugin.meta.id === 'string') {
    try {
      compileOptionsSchema(kind, plugin as { meta: { id: string; options?: unknown } });
      for (const issue of checkOptionDefaults(kind, plugin as { meta: { id: string; options?: unknown } })) {
        problems.push(
          `meta.options${issue.path === '' ? '' : ` at ${formatPointer(issue.path)}`}: ` +
            `${issue.message}, found ${JSON.stringify(issue.found)}`,
        );
      }
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }

  if (kind === 'attack' && typeof plugin.steal !== 'function')
    problems.push('an attack must have a steal(ctx, options) function');
  if (kind === 'defense') problems.push(...checkDefenseHooks(plugin));
  if (kind === 'victim') {
    if (!isObject(plugin.recipe))
      problems.push(
        'a victim must have a recipe object: { method, encoder, data, ' +
          'augmentation, epochs, batchSize, learningRate, seed }',
      );
    else if (!pushAll(problems, problemsOf('recipe', validators.recipe, plugin.recipe))) {
      try {
        if (JSON.stringify(JSON.parse(JSON.stringify(plugin.recipe))) !== JSON.stringify(plugin.recipe))
          problems.push('recipe: must be plain JSON data (it is hashed into the victim cache key)');
      } catch {
        problems.push('recipe: must be plain JSON data (it is hashed into the victim cache key)');
      }
    }
    if (plugin.next !== undefined) {
      if (!isObject(plugin.next))
        problems.push('next: must be a recipe object like recipe (the recipe the victim is being retrained to)');
      else pushAll(problems, problemsOf('next', validators.recipe, plugin.next));
    }
  }
  return problems;
}

/** Appends and says whether anything was appended. */
function pushAll(into: string[], items: string[]): boolean {
  into.push(...items);
  return items.length > 0;
}

const hookNames = ['guard', 'prepareVictim', 'verifyOwnership'] as const;

/** Which entry functions a defense needs follows from its kind (paper section 2's taxonomy). */
function checkDefenseHooks(plugin: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const hook of hookNames) {
    if (hook in plugin && typeof plugin[hook] !== 'function')
      problems.push(`${hook} must be a function, found ${typeof plugin[hook]}`);
  }
  const kind = isObject(plugin.meta) ? plugin.meta.kind : undefined;
  if ((kind === 'active' || kind === 'passive') && typeof plugin.guard !== 'function') {
    problems.push(
      `a ${kind} defense must have a guard(victim, options, ctx) function that wraps every answer of the API`,
    );
  }
  // Proactive defenses act before deployment (the watermark changes how the victim is trained); a guard is optional.
  if (kind === 'proactive' && typeof plugin.prepareVictim !== 'function' && typeof plugin.guard !== 'function') {
    problems.push(
      'a proactive defense must have prepareVictim(options) (the settings it ' +
        "adds to the victim's training) or a guard(victim, options, ctx)",
    );
  }
  if (kind === 'reactive' && typeof plugin.verifyOwnership !== 'function') {
    problems.push(
      'a reactive defense must have a verifyOwnership(options, ctx) function (and usually prepareVictim(options))',
    );
  }
  return problems;
}
