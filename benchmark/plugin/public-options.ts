// What an adaptive attack may know about the defense in front of the victim (issue 13.1): the defense's id and its
// public options — the mechanism and its settings, as a provider would publish them — never its secrets. A defense
// marks a secret option in its options schema with `secret: true` (a keyword registered on the harness's ajv,
// benchmark/util/validation.ts); this module drops every such value, at any depth of nested object options.
// Seeds never reach an attack this way: a defense's randomness comes from the cell seed through DefenseContext, not
// from its options.
import type { AttackDefenseView } from './types.ts';

type Schema = Record<string, unknown>;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A deep copy of `options` without the values whose schema property says `secret: true`. Keys the schema does not
 * describe are kept as they are (resolved options hold only described keys: the harness closes the top level).
 */
export function publicOptions(schema: unknown, options: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const properties =
    isObject(schema) && isObject(schema.properties) ? (schema.properties as Record<string, Schema>) : {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    const property = properties[key];
    if (isObject(property) && property.secret === true) continue;
    out[key] = isObject(value) ? publicOptions(property, value) : structuredClone(value);
  }
  return out;
}

/** The public view of a defense: its id and `publicOptions(meta.options, options)`. */
export function publicDefense(
  defense: { meta: { id: string; options?: unknown } },
  options: Readonly<Record<string, unknown>>,
): AttackDefenseView {
  return { id: defense.meta.id, options: publicOptions(defense.meta.options, options) };
}

/** Every option path (JSON pointer) that a schema marks secret, for documentation and tests. */
export function secretOptionPaths(schema: unknown, prefix = ''): string[] {
  if (!isObject(schema) || !isObject(schema.properties)) return [];
  const paths: string[] = [];
  for (const [key, property] of Object.entries(schema.properties)) {
    const path = `${prefix}/${key}`;
    if (isObject(property) && property.secret === true) paths.push(path);
    else paths.push(...secretOptionPaths(property, path));
  }
  return paths;
}

/**
 * What the harness hands an attack as `ctx.defense`: the public view for an attack that declares `meta.targets`
 * (whichever defense the cell runs, `none` included, so the control run sees it too), nothing for an oblivious one.
 */
export function defenseViewFor(
  attack: { meta: { targets?: readonly string[] } },
  defense: { meta: { id: string; options?: unknown } },
  options: Readonly<Record<string, unknown>>,
): AttackDefenseView | undefined {
  return attack.meta.targets ? publicDefense(defense, options) : undefined;
}
