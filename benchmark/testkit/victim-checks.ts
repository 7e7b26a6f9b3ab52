// The victim contract: meta and recipe valid, the recipe plain JSON (it is hashed into the victim's cache key), and
// the training split and downstream tasks it names known to the data layer. The data layer's `listSplits` is looked
// up lazily (plugin/data-splits.ts) so the kit works without it; then that part of the check says it was not applied.
// And shipped weights (victims/<id>/weights/), when there are any or when `shipped` asks for them: trained from this
// exact recipe (metrics.json names its hash), one probe accuracy per downstream task, one loss per epoch.
import { isDeepStrictEqual } from 'node:util';
import { listDataSplits } from '../plugin/data-splits.ts';
import type { VictimPlugin } from '../plugin/types.ts';
import { fail, shapeCheck, type ContractCheck } from './check.ts';

/** Names of the known data splits, or null when the data layer does not list them. */
export async function knownSplitNames(): Promise<string[] | null> {
  const listed = await listDataSplits();
  return listed.splits === null ? null : listed.splits.map((s) => s.name);
}

/** `testVictim`'s options: `shipped: true` makes shipped weights required. */
export interface VictimKitOptions {
  /** The victim ships trained weights: their absence fails the check instead of skipping it. */
  shipped?: boolean;
}

/** The victim contract as a list of checks (what `testVictim` registers). */
export function victimChecks(plugin: VictimPlugin, options: VictimKitOptions = {}): ContractCheck[] {
  const id = plugin?.meta?.id ?? '(no meta.id)';
  return [
    shapeCheck('victim', plugin),
    {
      name: 'recipe names a known training split and downstream tasks',
      async run() {
        const names = await knownSplitNames();
        if (names === null) return 'not applied: benchmark/data does not export listSplits yet';
        const known = new Set(names);
        if (!known.has(plugin.recipe.data))
          fail(`victim '${id}': recipe.data '${plugin.recipe.data}' is not a known split; known: ${names.join(', ')}`);
        // A downstream task is a dataset name; it matches a split `<task>/...` or a split of that exact name.
        for (const task of plugin.recipe.downstream ?? []) {
          if (!names.some((n) => n === task || n.startsWith(`${task}/`)))
            fail(`victim '${id}': downstream task '${task}' has no split (known splits: ${names.join(', ')})`);
        }
        // The recipe being retrained to (`next`) must be as runnable as the current one.
        if (plugin.next && !known.has(plugin.next.data))
          fail(`victim '${id}': next.data '${plugin.next.data}' is not a known split; known: ${names.join(', ')}`);
        if (plugin.next) {
          const { encoderSpecOf } = await import('../victims/recipe.ts');
          encoderSpecOf({ ...plugin, recipe: plugin.next });
        }
      },
    },
    {
      name: 'shipped weights were trained from this recipe and record a probe accuracy per downstream task',
      async run() {
        // Loaded here, not at the top: the victims store pulls in the model code, which the other checks do not need.
        const { readMetrics, shippedDir, victimHash } = await import('../victims/index.ts');
        const retrain = `run \`npx stealbench train-victim ${id} --ship\``;
        const metrics = await readMetrics(shippedDir(id));
        if (!metrics) {
          if (options.shipped) fail(`victim '${id}': no victims/${id}/weights/metrics.json: ${retrain}`);
          return `not applied: victims/${id}/weights/ is not shipped`;
        }
        const hash = victimHash(plugin.recipe);
        if (metrics.hash !== hash)
          fail(
            `victim '${id}': the shipped weights were trained from another recipe ` +
              `(hash ${metrics.hash}, this recipe ${hash}): ${retrain}`,
          );
        if (!isDeepStrictEqual(metrics.recipe, JSON.parse(JSON.stringify(plugin.recipe))))
          fail(`victim '${id}': metrics.json's recipe differs from index.ts's: ${retrain}`);
        for (const task of plugin.recipe.downstream ?? []) {
          const accuracy = metrics.probes[task]?.accuracy;
          if (!(typeof accuracy === 'number' && accuracy > 0.1))
            fail(
              `victim '${id}': metrics.json has no probe accuracy above 0.1 for ` +
                `downstream task '${task}' (found ${accuracy}): ${retrain}`,
            );
        }
        if (metrics.epochLosses.length !== plugin.recipe.epochs)
          fail(
            `victim '${id}': metrics.json has ${metrics.epochLosses.length} epoch ` +
              `losses for a ${plugin.recipe.epochs}-epoch recipe: ${retrain}`,
          );
      },
    },
  ];
}
