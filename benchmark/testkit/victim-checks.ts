// The victim contract: meta and recipe valid, the recipe plain JSON (it is hashed into the victim's cache key), and
// the training split and downstream tasks it names known to the data layer. The data layer's `listSplits` is looked
// up lazily (plugin/data-splits.ts) so the kit works without it; then that part of the check says it was not applied.
import { listDataSplits } from '../plugin/data-splits.ts';
import type { VictimPlugin } from '../plugin/types.ts';
import { fail, shapeCheck, type ContractCheck } from './check.ts';

/** Names of the known data splits, or null when the data layer does not list them. */
export async function knownSplitNames(): Promise<string[] | null> {
  const listed = await listDataSplits();
  return listed.splits === null ? null : listed.splits.map((s) => s.name);
}

export function victimChecks(plugin: VictimPlugin): ContractCheck[] {
  const id = plugin?.meta?.id ?? '(no meta.id)';
  return [
    shapeCheck('victim', plugin),
    {
      name: 'recipe names a known training split and downstream tasks',
      async run() {
        const names = await knownSplitNames();
        if (names === null) return 'not applied: benchmark/data does not export listSplits yet';
        const known = new Set(names);
        if (!known.has(plugin.recipe.data)) fail(`victim '${id}': recipe.data '${plugin.recipe.data}' is not a known split; known: ${names.join(', ')}`);
        // A downstream task is a dataset name; it matches a split `<task>/...` or a split of that exact name.
        for (const task of plugin.recipe.downstream ?? []) {
          if (!names.some((n) => n === task || n.startsWith(`${task}/`))) fail(`victim '${id}': downstream task '${task}' has no split (known splits: ${names.join(', ')})`);
        }
      },
    },
  ];
}
