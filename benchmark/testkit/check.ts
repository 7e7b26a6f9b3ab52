// What a contract check is, shared by the vitest adapter (`testAttack` & co.) and `stealbench verify-plugin`: a named
// async function that throws a `ContractError` whose message tells a contributor what to change. Plus the small
// helpers every check family uses (memoised runs, digests, frozen-input detection, option cases).
import { createHash } from 'node:crypto';
import { checkPluginShape } from '../plugin/shape.ts';
import { PluginOptionsError, resolveOptions } from '../plugin/options.ts';
import type { PluginKind } from '../plugin/types.ts';

/** One named contract check; `run()` throws a `ContractError` saying what to fix, or returns a note. */
export interface ContractCheck {
  name: string;
  /** Resolves with an optional note (e.g. why part of the check did not apply); throws `ContractError` on failure. */
  run(): Promise<string | void>;
}

/** A contract violation, with a message that names the plugin, what was expected and what was found. */
export class ContractError extends Error {
  override name = 'ContractError';
}

export function fail(message: string): never {
  throw new ContractError(message);
}

export { once } from '../util/once.ts';

/** sha256 over the bytes of typed arrays (and strings), for comparing runs. */
export function digest(parts: readonly (ArrayBufferView | string)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    if (typeof part === 'string') hash.update(part);
    else hash.update(new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
    hash.update('\0');
  }
  return hash.digest('hex');
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Walk an error's `cause` chain (hook wrappers wrap the plugin's own error). */
export function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e !== undefined && chain.length < 10; e = (e as { cause?: unknown } | null)?.cause) {
    chain.push(e);
    if (e === null || typeof e !== 'object') break;
  }
  return chain;
}

/** V8's words when strict-mode code writes to a frozen object. */
export function isFrozenWrite(error: unknown): boolean {
  return causes(error).some(
    (e) =>
      e instanceof TypeError &&
      /read only property|object is not extensible|Cannot delete property|Cannot assign to read only/.test(e.message),
  );
}

export function frozenWriteHint(kind: PluginKind, id: string, hook: string, error: unknown): string {
  return (
    `${kind} '${id}' wrote to a frozen input in ${hook}(): ${messageOf(causes(error).at(-1))}. ` +
    ('Options and the objects the harness passes in are shared and frozen; ' +
      'copy what you need to change ({ ...options }, data.slice()).')
  );
}

/** `meta` valid against the meta schema, options schema compiles (strict), defaults valid, entry functions present. */
export function shapeCheck(kind: PluginKind, plugin: unknown): ContractCheck {
  return {
    name: 'meta, options schema and entry functions are valid',
    async run() {
      const problems = checkPluginShape(kind, plugin);
      if (problems.length)
        fail(
          `${kind} '${idOf(plugin)}' is not a well-formed ${kind} plugin:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
        );
    },
  };
}

export function idOf(plugin: unknown): string {
  const id = (plugin as { meta?: { id?: unknown } } | null)?.meta?.id;
  return typeof id === 'string' ? id : '(no meta.id)';
}

/** Options the plugin's schema must refuse, and the issue (`{ path, keyword }`) the refusal must name. */
export interface InvalidOptionsCase {
  name?: string;
  options: unknown;
  /**
   * The issue the refusal must report: the option's JSON pointer and, optionally, the JSON Schema keyword that failed
   * (`{ path: '/epochs', keyword: 'minimum' }`; see benchmark/util/validation.ts). Preferred over `error`: it does not
   * depend on the wording of messages.
   */
  issue?: { path: string; keyword?: string };
  /** What the error message must contain (string) or match (RegExp); a pointer such as '/loss' is the robust form. */
  error?: string | RegExp;
}

/** Every case's options (and the defaults alone) resolve; every invalid case is refused with a `PluginOptionsError`. */
export function optionsChecks(
  kind: 'attack' | 'defense',
  plugin: { meta: { id: string; options?: unknown } },
  valid: { name: string; options?: unknown }[],
  invalid: InvalidOptionsCase[],
): ContractCheck[] {
  const checks: ContractCheck[] = [
    {
      name: 'options: the defaults and every case resolve',
      async run() {
        const notes: string[] = [];
        try {
          resolveOptions(kind, plugin, {});
        } catch (error) {
          if (!(error instanceof PluginOptionsError)) throw error;
          if (!error.issues.every((issue) => issue.keyword === 'required'))
            fail(`${kind} '${plugin.meta.id}': its defaults are not valid options: ${error.message}`);
          notes.push('some options are required (no defaults)');
        }
        for (const c of valid) {
          try {
            resolveOptions(kind, plugin, c.options);
          } catch (error) {
            fail(`case '${c.name}': ${messageOf(error)}`);
          }
        }
        return notes.join('; ') || undefined;
      },
    },
  ];
  invalid.forEach((c, i) => {
    const name = c.name ?? `invalid options #${i + 1} ${JSON.stringify(c.options)}`;
    checks.push({
      name: `options: refuses ${name}`,
      async run() {
        try {
          resolveOptions(kind, plugin, c.options);
        } catch (error) {
          if (!(error instanceof PluginOptionsError))
            fail(`expected a PluginOptionsError for ${JSON.stringify(c.options)}, got ${messageOf(error)}`);
          const ok =
            c.error === undefined ||
            (typeof c.error === 'string' ? error.message.includes(c.error) : c.error.test(error.message));
          if (!ok)
            fail(
              `the options error for ${JSON.stringify(c.options)} does not match ${String(c.error)}:\n${error.message}`,
            );
          const expected = c.issue;
          if (
            expected &&
            !error.issues.some(
              (i) => i.path === expected.path && (expected.keyword === undefined || i.keyword === expected.keyword),
            )
          ) {
            const found = error.issues.map((i) => `{ path: '${i.path}', keyword: '${i.keyword}' }`).join(', ');
            fail(
              `the options error for ${JSON.stringify(c.options)} has no issue ${JSON.stringify(expected)}; ` +
                `it has ${found}`,
            );
          }
          return;
        }
        fail(
          `${kind} '${plugin.meta.id}' accepted options ${JSON.stringify(c.options)} ` +
            `that the case says are invalid: tighten meta.options`,
        );
      },
    });
  });
  return checks;
}
