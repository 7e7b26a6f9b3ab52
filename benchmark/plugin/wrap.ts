// Every call into a plugin goes through a wrapper (Rollup's PluginDriver does the same) so that an error, thrown or
// rejected, says which plugin and which hook failed: "attack 'direct-extraction' failed in steal(): ...". The
// original error stays reachable as `cause`, and its stack is kept.
import type { AttackPlugin, DefensePlugin, Guard, PluginKind } from './types.ts';

export class PluginHookError extends Error {
  override name = 'PluginHookError';
  constructor(
    readonly kind: PluginKind,
    readonly plugin: string,
    readonly hook: string,
    override readonly cause: unknown,
  ) {
    super(`${kind} '${plugin}' failed in ${hook}(): ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    if (cause instanceof Error && cause.stack)
      this.stack = `${this.name}: ${this.message}\n${cause.stack.split('\n').slice(1).join('\n')}`;
  }
}

function rethrow(kind: PluginKind, id: string, hook: string, error: unknown): never {
  // Already attributed (a nested wrapped call): keep the innermost attribution.
  if (error instanceof PluginHookError) throw error;
  throw new PluginHookError(kind, id, hook, error);
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  value !== null &&
  (typeof value === 'object' || typeof value === 'function') &&
  typeof (value as { then?: unknown }).then === 'function';

/** Wrap one plugin function; sync stays sync, async errors are attributed too. */
export function wrapPluginCall<Args extends unknown[], Result>(
  kind: PluginKind,
  id: string,
  hook: string,
  fn: (...args: Args) => Result,
): (...args: Args) => Result {
  return function wrapped(this: unknown, ...args: Args): Result {
    let result: Result;
    try {
      result = fn.apply(this, args);
    } catch (error) {
      rethrow(kind, id, hook, error);
    }
    if (isThenable(result))
      return Promise.resolve(result).catch((error: unknown) => rethrow(kind, id, hook, error)) as Result;
    return result;
  };
}

/** A guard whose answer/report/dispose are attributed to the defense. */
export function wrapGuard(id: string, guard: Guard): Guard {
  const wrapped: Guard = { answer: wrapPluginCall('defense', id, 'guard.answer', guard.answer.bind(guard)) };
  if (guard.report) wrapped.report = wrapPluginCall('defense', id, 'guard.report', guard.report.bind(guard));
  if (guard.dispose) wrapped.dispose = wrapPluginCall('defense', id, 'guard.dispose', guard.dispose.bind(guard));
  return wrapped;
}

/** The attack with `steal` wrapped. */
export function wrapAttack<Options>(plugin: AttackPlugin<Options>): AttackPlugin<Options> {
  return { meta: plugin.meta, steal: wrapPluginCall('attack', plugin.meta.id, 'steal', plugin.steal.bind(plugin)) };
}

/** The defense with every hook wrapped, including the guard it returns. */
export function wrapDefense<Options>(plugin: DefensePlugin<Options>): DefensePlugin<Options> {
  const id = plugin.meta.id;
  const wrapped: DefensePlugin<Options> = { meta: plugin.meta };
  if (plugin.guard) {
    const guard = wrapPluginCall('defense', id, 'guard', plugin.guard.bind(plugin));
    wrapped.guard = (victim, options, ctx) => {
      const made = guard(victim, options, ctx);
      return isThenable(made) ? Promise.resolve(made).then((g) => wrapGuard(id, g)) : wrapGuard(id, made);
    };
  }
  if (plugin.prepareVictim)
    wrapped.prepareVictim = wrapPluginCall('defense', id, 'prepareVictim', plugin.prepareVictim.bind(plugin));
  if (plugin.victimTrainHook)
    wrapped.victimTrainHook = wrapPluginCall('defense', id, 'victimTrainHook', plugin.victimTrainHook.bind(plugin));
  if (plugin.verifyOwnership)
    wrapped.verifyOwnership = wrapPluginCall('defense', id, 'verifyOwnership', plugin.verifyOwnership.bind(plugin));
  return wrapped;
}
