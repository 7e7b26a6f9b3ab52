// Which attacks are adaptive: the `meta.targets` of every registered attack, read through the plugin registry (the
// metas come back as data; no plugin code runs in this process). Records do not carry metas, so the leaderboard's
// worst-case section asks the registry of the checkout that renders it.
import { discoverPlugins, projectRoot } from '../plugin/registry.ts';
import type { AttackTargets } from './worst-case.ts';

export interface AttackTargetsResult {
  targets: AttackTargets;
  /** Plugin folders that failed to load (their attacks count as oblivious), as "folder: message". */
  problems: string[];
}

export async function attackTargetsFromRegistry(root: string = projectRoot): Promise<AttackTargetsResult> {
  const registry = await discoverPlugins(root);
  const targets = new Map<string, readonly string[]>();
  for (const attack of registry.attacks) {
    const declared = (attack.raw.meta as { targets?: unknown }).targets;
    targets.set(attack.id, Array.isArray(declared) ? declared.filter((t): t is string => typeof t === 'string') : []);
  }
  return { targets, problems: registry.problems.map((p) => `${p.folder}: ${p.message}`) };
}
