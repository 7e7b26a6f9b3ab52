// Identity helpers, in the manner of Vite's `defineConfig`: they exist so that a plugin file gets its types checked
// and its options typed without writing the type twice. The harness validates options against `meta.options` with
// ajv (defaults applied) before any entry function is called.
import type { AttackPlugin, DefensePlugin, VictimPlugin } from './types.ts';

/**
 * Declares an attack plugin: `meta` (id, title, paper, options schema, `needs`, `targets`) and `steal(ctx, options)`,
 * which spends `ctx.budget` images through `ctx.oracle` and returns the stolen encoder. The harness validates `meta`
 * and resolves `options` against its schema (defaults applied) before calling `steal`, in a sandboxed process.
 */
export function defineAttack<Options = Record<string, never>>(plugin: AttackPlugin<Options>): AttackPlugin<Options> {
  return plugin;
}

/**
 * Declares a defense plugin: `meta` (id, title, paper, kind, options schema) and any of `guard` (answers through the
 * API), `prepareVictim`/`victimTrainHook` (proactive: changes how the victim is trained) and `verifyOwnership`
 * (reactive: tests a suspect encoder). The harness resolves options against the schema before calling any of them.
 */
export function defineDefense<Options = Record<string, never>>(plugin: DefensePlugin<Options>): DefensePlugin<Options> {
  return plugin;
}

/** A victim is a recipe, not code: `{ meta: { id, title, paper? }, recipe: { method, encoder, data, ... } }`. */
export function defineVictim<Victim extends VictimPlugin>(victim: Victim): Victim {
  return victim;
}

/**
 * Benchmark configs written in TypeScript (`stealbench.config.ts`) get their literal types kept. The JSON form is
 * checked against `schemas/config.schema.json` by the runner; this helper adds no checks of its own.
 */
export function defineConfig<Config extends Record<string, unknown>>(config: Config): Config {
  return config;
}
