// Identity helpers, in the manner of Vite's `defineConfig`: they exist so that a plugin file gets its types checked
// and its options typed without writing the type twice. The harness validates options against `meta.options` with
// ajv (defaults applied) before any entry function is called.
import type { AttackPlugin, DefensePlugin } from './types.ts';

export function defineAttack<Options = Record<string, never>>(plugin: AttackPlugin<Options>): AttackPlugin<Options> {
  return plugin;
}

export function defineDefense<Options = Record<string, never>>(plugin: DefensePlugin<Options>): DefensePlugin<Options> {
  return plugin;
}
