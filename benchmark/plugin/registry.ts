// Plugin discovery: adding a folder `attacks/<id>/`, `defenses/<id>/` or `victims/<id>/` with an `index.ts` whose
// default export is the plugin registers it; no core file lists plugins. Each plugin is shape-checked, its folder
// name must equal meta.id, its hooks are wrapped so errors name the plugin and hook, and its folder gets a content
// hash (for cell keys). A folder that fails to load is reported in `problems`, never silently skipped.
// `checkPluginFolders` is the repository check (ESLint's checkRuleFiles): index.ts, README.md and a test per folder.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { checkPluginShape } from './shape.ts';
import type { AttackPlugin, DefensePlugin, PluginKind, VictimPlugin } from './types.ts';
import { wrapAttack, wrapDefense } from './wrap.ts';

/** The repository root (where package.json is). */
export const projectRoot = resolve(fileURLToPath(new URL('../../', import.meta.url)));

export const kindFolders: Record<PluginKind, string> = { attack: 'attacks', defense: 'defenses', victim: 'victims' };

// Plugins are generic over their options; the registry holds them with their options erased.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyOptions = any;

export interface RegisteredPlugin<Plugin> {
  kind: PluginKind;
  id: string;
  /** Absolute path of the plugin's folder. */
  folder: string;
  /** The plugin with every hook wrapped (errors say which plugin and hook failed). */
  plugin: Plugin;
  /** The default export as the plugin file wrote it. */
  raw: Plugin;
  /** sha256 (hex) over the folder's files, tests and README excluded. */
  hash: string;
}

export interface PluginProblem {
  /** Folder path relative to the root, e.g. `attacks/direct-extraction`. */
  folder: string;
  message: string;
}

export interface Registry {
  root: string;
  attacks: RegisteredPlugin<AttackPlugin<AnyOptions>>[];
  defenses: RegisteredPlugin<DefensePlugin<AnyOptions>>[];
  victims: RegisteredPlugin<VictimPlugin>[];
  problems: PluginProblem[];
}

/** Sub-folders of `attacks/` etc. that are plugins: `.hidden` and `_shared` folders hold helpers, not plugins. */
export function listPluginFolders(root: string, kind: PluginKind): string[] {
  const parent = join(root, kindFolders[kind]);
  if (!existsSync(parent)) return [];
  return readdirSync(parent, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && !entry.name.startsWith('_'))
    .map((entry) => join(parent, entry.name))
    .sort();
}

const isTestFile = (name: string) => /\.test\.[cm]?[jt]sx?$/.test(name);
const skippedDirectory = (name: string) => name.startsWith('.') || name === 'node_modules' || name === '__snapshots__';

function walkFiles(folder: string, prefix = ''): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!skippedDirectory(entry.name)) files.push(...walkFiles(join(folder, entry.name), rel));
    } else if (entry.isFile()) files.push(rel);
  }
  return files;
}

/**
 * Content hash of a plugin folder: sha256 over (relative path, size, bytes) of every file in sorted order, tests and
 * README.md excluded (editing docs or tests does not invalidate cached results; editing code or weights does).
 */
export function hashPluginFolder(folder: string): string {
  const hash = createHash('sha256');
  const hashTree = (dir: string, label: string, keep: (rel: string) => boolean = () => true) => {
    const files = walkFiles(dir)
      .filter((rel) => keep(rel) && !isTestFile(basename(rel)) && basename(rel).toLowerCase() !== 'readme.md')
      .sort();
    for (const rel of files) {
      const bytes = readFileSync(join(dir, rel));
      hash.update(`${label}${rel}\0${bytes.length}\0`);
      hash.update(bytes);
    }
  };
  // A victim's `variants/` hold weights trained with a proactive defense's settings; each is keyed and checked by its
  // own recipe hash when loaded, so shipping one must not change the plain victim (and every cell that uses it).
  // `experiments/` holds scripts that measure the plugin and the JSON they write: they never run inside a cell, and
  // re-measuring must not re-key (and so re-run) every cell of the plugin.
  hashTree(folder, '', (rel) => !rel.startsWith(`${VICTIM_VARIANTS}/`) && !rel.startsWith(`${PLUGIN_EXPERIMENTS}/`));
  // Helpers the plugins of one kind share (`attacks/_shared/`) are part of every such plugin's code: a change there
  // must invalidate their cached cells too.
  const shared = join(dirname(folder), SHARED_HELPERS);
  if (existsSync(shared)) hashTree(shared, `../${SHARED_HELPERS}/`);
  return hash.digest('hex');
}

/** The folder, beside the plugin folders of a kind, whose helpers enter every plugin's content hash. */
export const SHARED_HELPERS = '_shared';
/** Sub-folder of a plugin for measurement scripts and their outputs (not part of the plugin's code). */
export const PLUGIN_EXPERIMENTS = 'experiments';
/** Sub-folder of a victim holding its defense-trained variants (see `benchmark/victims/store.ts`). */
export const VICTIM_VARIANTS = 'variants';

export interface LoadedPlugin {
  kind: PluginKind;
  folder: string;
  /** The default export, when the module loaded. */
  plugin?: unknown;
  problems: string[];
}

/** Import `<folder>/index.ts` and check its default export; problems are returned, not thrown. */
export async function loadPluginFolder(folder: string, kind: PluginKind): Promise<LoadedPlugin> {
  const index = join(folder, 'index.ts');
  if (!existsSync(index)) return { kind, folder, problems: [`no index.ts: a ${kind} plugin folder needs an index.ts whose default export is the plugin`] };
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(index).href)) as Record<string, unknown>;
  } catch (error) {
    return { kind, folder, problems: [`index.ts failed to load: ${error instanceof Error ? error.message : String(error)}`] };
  }
  const plugin = module.default;
  if (plugin === undefined) {
    const helper = `define${kind[0]!.toUpperCase()}${kind.slice(1)}`;
    return { kind, folder, problems: [`index.ts has no default export: write \`export default ${helper}({ meta: { ... }, ... })\``] };
  }
  const problems = checkPluginShape(kind, plugin);
  const id = (plugin as { meta?: { id?: unknown } }).meta?.id;
  const name = basename(folder);
  if (typeof id === 'string' && id !== name) problems.push(`meta.id '${id}' must equal the folder name '${name}'`);
  return { kind, folder, plugin, problems };
}

/** Find and load every plugin under `root`. */
export async function discoverPlugins(root: string = projectRoot): Promise<Registry> {
  const registry: Registry = { root, attacks: [], defenses: [], victims: [], problems: [] };
  for (const kind of ['attack', 'defense', 'victim'] as const) {
    for (const folder of listPluginFolders(root, kind)) {
      const loaded = await loadPluginFolder(folder, kind);
      const where = relative(root, folder).split(sep).join('/');
      if (loaded.problems.length > 0) {
        for (const message of loaded.problems) registry.problems.push({ folder: where, message });
        continue;
      }
      const hash = hashPluginFolder(folder);
      const id = basename(folder);
      if (kind === 'attack') {
        const raw = loaded.plugin as AttackPlugin<AnyOptions>;
        registry.attacks.push({ kind, id, folder, raw, plugin: wrapAttack(raw), hash });
      } else if (kind === 'defense') {
        const raw = loaded.plugin as DefensePlugin<AnyOptions>;
        registry.defenses.push({ kind, id, folder, raw, plugin: wrapDefense(raw), hash });
      } else {
        const raw = loaded.plugin as VictimPlugin;
        registry.victims.push({ kind, id, folder, raw, plugin: raw, hash });
      }
    }
  }
  return registry;
}

/** Look a plugin up by id, or throw an error that lists the ids that do exist. */
export function findPlugin<K extends PluginKind>(registry: Registry, kind: K, id: string): Registry[`${K}s`][number] {
  const list = registry[`${kind}s`] as Registry[`${K}s`];
  const found = list.find((entry) => entry.id === id);
  if (!found) {
    const known = list.map((entry) => entry.id);
    const broken = registry.problems.filter((p) => p.folder === `${kindFolders[kind]}/${id}`);
    const why = broken.length ? ` (the folder exists but does not load: ${broken.map((p) => p.message).join('; ')})` : '';
    throw new Error(`unknown ${kind} '${id}'${why}; registered ${kind}s: ${known.length ? known.join(', ') : '(none)'}`);
  }
  return found as Registry[`${K}s`][number];
}

/**
 * The repository check: every plugin folder has an index.ts, a non-empty README.md and at least one `*.test.ts`,
 * and a kebab-case name. Static (reads files only); `discoverPlugins` reports folders that do not load.
 */
export function checkPluginFolders(root: string = projectRoot): PluginProblem[] {
  const problems: PluginProblem[] = [];
  for (const kind of ['attack', 'defense', 'victim'] as const) {
    for (const folder of listPluginFolders(root, kind)) {
      problems.push(...checkOnePluginFolder(folder, kind).map((message) => ({ folder: relative(root, folder).split(sep).join('/'), message })));
    }
  }
  return problems;
}

/** The file checks for one plugin folder (also used by `stealbench verify-plugin`). */
export function checkOnePluginFolder(folder: string, kind: PluginKind): string[] {
  const problems: string[] = [];
  const name = basename(folder);
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name)) problems.push(`folder name '${name}' must be kebab-case (it is the plugin id)`);
  if (!existsSync(join(folder, 'index.ts'))) problems.push(`missing index.ts (its default export is the ${kind} plugin)`);
  const readme = join(folder, 'README.md');
  if (!existsSync(readme)) problems.push('missing README.md (what the plugin does, its paper, its options, what it assumes)');
  else if (statSync(readme).size === 0 || readFileSync(readme, 'utf8').trim() === '') problems.push('README.md is empty');
  if (!walkFiles(folder).some((rel) => isTestFile(basename(rel)))) {
    problems.push(`no test file: add e.g. ${name}.test.ts that calls test${kind[0]!.toUpperCase()}${kind.slice(1)}() from benchmark/testkit`);
  }
  return problems;
}

/** Which kind a folder holds, from its parent folder's name (`attacks/x` → attack); null when not under one. */
export function kindOfFolder(folder: string): PluginKind | null {
  const parent = basename(dirname(resolve(folder)));
  for (const [kind, name] of Object.entries(kindFolders)) if (parent === name) return kind as PluginKind;
  return null;
}
