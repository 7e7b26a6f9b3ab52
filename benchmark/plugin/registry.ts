// Plugin discovery: adding a folder `attacks/<id>/`, `defenses/<id>/` or `victims/<id>/` with an `index.ts` whose
// default export is the plugin registers it; no core file lists plugins. Discovery never imports a plugin: each is
// bundled (code only, see bundle.ts) and its default export is read in a sandboxed child (sandbox-data.ts), which hands
// back plain JSON: the meta, a victim's recipe, and the names of its functions. That data is shape-checked, its folder
// name must equal meta.id, and the plugin gets a content hash over every file its bundle reads (for cell keys). A
// folder that fails to load is reported in `problems`, never silently skipped. Attack code runs only in the attack's
// sandboxed process; defense code is imported by the cell's worker alone (`importDefense`), as it guards the victim.
// `checkPluginFolders` is the repository check (ESLint's checkRuleFiles): index.ts, README.md and a test per folder.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, delimiter, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { unknownPluginMessage } from '../util/validation.ts';
import { buildPlugin, contentHash, PluginBundleError, symlinksLeaving, victimDataFiles } from './bundle.ts';
import { readPluginInSandbox } from './sandbox-data.ts';
import { checkPluginShape } from './shape.ts';
import type { AttackMeta, DefenseMeta, DefensePlugin, PluginKind, VictimPlugin } from './types.ts';
import { wrapDefense } from './wrap.ts';

/** The repository root (where package.json is). */
export const projectRoot = resolve(fileURLToPath(new URL('../../', import.meta.url)));

export const kindFolders: Record<PluginKind, string> = { attack: 'attacks', defense: 'defenses', victim: 'victims' };

// Plugins are generic over their options; the registry holds them with their options erased.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyOptions = any;

/** What discovery knows of an attack: data only; its code runs in the attack's sandboxed process. */
export interface AttackData {
  meta: AttackMeta<AnyOptions>;
  /** Names of the default export's functions (`steal`). */
  hooks: readonly string[];
}

/** What discovery knows of a defense: data only; `importDefense` loads its code where it runs (the cell's worker). */
export interface DefenseData {
  meta: DefenseMeta<AnyOptions>;
  /** Names of the default export's functions (`guard`, `prepareVictim`, `verifyOwnership`, …). */
  hooks: readonly string[];
}

export interface RegisteredPlugin<Data> {
  kind: PluginKind;
  id: string;
  /** Absolute path of the plugin's folder. */
  folder: string;
  /** What the plugin declares, read in the sandbox: plain JSON data (a victim is all data: meta and recipe). */
  plugin: Data;
  /** The same object as `plugin` (kept for callers written when discovery imported plugins). */
  raw: Data;
  /** sha256 (hex) over every file the plugin's bundle reads (harness, node_modules excepted); victims add weights. */
  hash: string;
  /** The files that `hash` covers, relative to the plugin root. */
  inputs: string[];
}

export interface PluginProblem {
  /** Folder path relative to the root, e.g. `attacks/direct-extraction`. */
  folder: string;
  message: string;
}

export interface Registry {
  root: string;
  attacks: RegisteredPlugin<AttackData>[];
  defenses: RegisteredPlugin<DefenseData>[];
  victims: RegisteredPlugin<VictimPlugin>[];
  problems: PluginProblem[];
}

/**
 * Extra plugin roots, searched after the repository, from $STEALBENCH_PLUGIN_PATH (folders holding attacks/, defenses/,
 * victims/, separated like PATH). Set by the operator (tests use it for throw-away plugins); workers inherit it.
 */
export const PLUGIN_PATH_ENV = 'STEALBENCH_PLUGIN_PATH';

export function extraPluginRoots(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env[PLUGIN_PATH_ENV] ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((root) => resolve(root));
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

/** The root a plugin folder belongs to: the folder above its kind's folder (`<root>/attacks/<id>`). */
const rootOf = (folder: string) => dirname(dirname(resolve(folder)));

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
 * Content hash of a plugin: sha256 over every file its code-only bundle reads, outside node_modules and the harness
 * (keyed by the harness version), as (path relative to `root`, size, bytes), sorted. An imported file in another folder
 * (`../b4b/lsh.ts`, `../_shared/`) re-keys the plugin; a file nobody imports (README, an experiment config, a
 * dot-folder) does not. A victim adds its data files (weights, metrics), `variants/` and `experiments/` excepted.
 */
export function pluginHash(root: string, folder: string, kind: PluginKind, inputs: readonly string[]): string {
  const data = kind === 'victim' ? victimDataFiles(folder, (rel) => skippedForVictim(rel)) : [];
  return contentHash(root, inputs, data);
}

function skippedForVictim(rel: string): boolean {
  const name = basename(rel.replace(/\/$/, ''));
  return (
    rel.startsWith(`${VICTIM_VARIANTS}/`) ||
    rel.startsWith(`${PLUGIN_EXPERIMENTS}/`) ||
    isTestFile(name) ||
    name.toLowerCase() === 'readme.md'
  );
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
  /** What the default export declares, as JSON data (functions are listed in `hooks`), when it could be read. */
  plugin?: unknown;
  /** Names of the default export's functions. */
  hooks: string[];
  /** Files the plugin's bundle reads (absolute paths), for its content hash. */
  inputs: string[];
  problems: string[];
}

/** A stand-in for a function that discovery saw but did not load, so that shape checks see it is there. */
const notLoaded = (name: string) =>
  function notLoadedHere(): never {
    throw new Error(`${name}() is not loaded in this process: discovery reads plugins as data`);
  };

/**
 * Read `<folder>/index.ts` in the sandbox and check its default export; problems are returned, not thrown. Nothing of
 * the plugin runs in this process.
 */
export async function loadPluginFolder(folder: string, kind: PluginKind): Promise<LoadedPlugin> {
  const index = join(folder, 'index.ts');
  const none = { kind, folder, hooks: [], inputs: [] };
  if (!existsSync(index))
    return {
      ...none,
      problems: [`no index.ts: a ${kind} plugin folder needs an index.ts whose default export is the plugin`],
    };
  const leaving = symlinksLeaving(folder);
  if (leaving.length) return { ...none, problems: leaving };
  const { report, inputs } = await readPluginInSandbox(folder, kind);
  if (report.status === 'no-default') {
    const helper = `define${kind[0]!.toUpperCase()}${kind.slice(1)}`;
    return {
      ...none,
      problems: [`index.ts has no default export: write \`export default ${helper}({ meta: { ... }, ... })\``],
    };
  }
  if (report.status === 'not-object')
    return { ...none, problems: checkPluginShape(kind, report.type === 'null' ? null : report.type) };
  if (report.status === 'error' || !report.value) return { ...none, problems: report.problems };
  const data = { ...report.value, hooks: report.hooks };
  const shape: Record<string, unknown> = { ...report.value };
  for (const hook of report.hooks) shape[hook] = notLoaded(hook);
  const problems = [...report.problems, ...checkPluginShape(kind, shape)];
  const id = (data as { meta?: { id?: unknown } }).meta?.id;
  const name = basename(folder);
  if (typeof id === 'string' && id !== name) problems.push(`meta.id '${id}' must equal the folder name '${name}'`);
  return { kind, folder, plugin: kind === 'victim' ? report.value : data, hooks: report.hooks, inputs, problems };
}

/** The content hash of one plugin folder (`<root>/<kind>s/<id>`): bundles it, code only. Throws on a refused import. */
export async function hashPluginFolder(folder: string, kind: PluginKind): Promise<string> {
  const leaving = symlinksLeaving(folder);
  if (leaving.length) throw new PluginBundleError(`${kind} '${basename(folder)}'`, leaving);
  const { inputs } = await buildPlugin(folder, kind);
  return pluginHash(rootOf(folder), folder, kind, inputs);
}

/**
 * Import a plugin's default export in this process, for the test kit (`verify-plugin`, a plugin's own test): its
 * contract checks call steal()/guard() on the kit's tiny victim. Never call it in a process that holds a real victim or
 * writes records: there, attacks run in their sandboxed process and defenses through `importDefense`.
 */
export async function importPluginForKit(folder: string): Promise<unknown> {
  const module = (await import(pathToFileURL(join(folder, 'index.ts')).href)) as { default?: unknown };
  return module.default;
}

/** Which plugins to read; default all. The worker of a cell reads only the three it runs. */
export type PluginFilter = (kind: PluginKind, id: string) => boolean;

/**
 * Find and read every plugin under `root`, then under the extra roots of $STEALBENCH_PLUGIN_PATH (a plugin id found
 * twice is a problem, not a silent override).
 */
export async function discoverPlugins(
  root: string = projectRoot,
  filter: PluginFilter = () => true,
): Promise<Registry> {
  const registry: Registry = { root, attacks: [], defenses: [], victims: [], problems: [] };
  const roots = [root, ...extraPluginRoots().filter((extra) => extra !== resolve(root))];
  const folders: { kind: PluginKind; folder: string; root: string }[] = [];
  for (const from of roots) {
    for (const kind of ['attack', 'defense', 'victim'] as const) {
      for (const folder of listPluginFolders(from, kind))
        if (filter(kind, basename(folder))) folders.push({ kind, folder, root: from });
    }
  }
  // Each read is a short child process; a few at a time keeps discovery quick without crowding small machines.
  // A folder may change while it is read (a contributor's editor, a test moving a plugin in or out): what cannot be
  // read becomes a problem of that folder, never an error of the whole discovery.
  const unreadable = (kind: PluginKind, folder: string, error: unknown): LoadedPlugin => ({
    kind,
    folder,
    hooks: [],
    inputs: [],
    problems: [
      `could not be read (${error instanceof Error ? error.message : String(error)}); ` +
        'was the folder changed or removed while it was read?',
    ],
  });
  const loaded = await mapLimited(folders, 4, ({ folder, kind }) =>
    loadPluginFolder(folder, kind).catch((error: unknown) => unreadable(kind, folder, error)),
  );
  const seen = new Map<string, string>();
  folders.forEach(({ kind, folder, root: from }, index) => {
    const where = from === root ? relative(root, folder).split(sep).join('/') : folder;
    let result = loaded[index]!;
    let hash = '';
    if (result.problems.length === 0) {
      try {
        hash = pluginHash(from, folder, kind, result.inputs);
      } catch (error) {
        result = unreadable(kind, folder, error);
      }
    }
    const id = basename(folder);
    const earlier = seen.get(`${kind}:${id}`);
    if (earlier !== undefined) {
      registry.problems.push({
        folder: where,
        message: `${kind} '${id}' is also provided by ${earlier}; plugin ids must be unique`,
      });
      return;
    }
    seen.set(`${kind}:${id}`, where);
    if (result.problems.length > 0) {
      for (const message of result.problems) registry.problems.push({ folder: where, message });
      return;
    }
    const entry = {
      kind,
      id,
      folder,
      plugin: result.plugin,
      raw: result.plugin,
      hash,
      inputs: result.inputs.map((path) => relative(from, path).split(sep).join('/')),
    };
    if (kind === 'attack') registry.attacks.push(entry as RegisteredPlugin<AttackData>);
    else if (kind === 'defense') registry.defenses.push(entry as RegisteredPlugin<DefenseData>);
    else registry.victims.push(entry as RegisteredPlugin<VictimPlugin>);
  });
  return registry;
}

async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/**
 * Import a defense's code, for the process that runs it next to the victim (the cell's worker, `train-victim`): its
 * hooks wrapped so that errors name the defense. Defenses are not sandboxed: they guard the victim, so they hold it.
 */
export async function importDefense(
  entry: Pick<RegisteredPlugin<DefenseData>, 'id' | 'folder'>,
): Promise<DefensePlugin<AnyOptions>> {
  const module = (await import(pathToFileURL(join(entry.folder, 'index.ts')).href)) as { default?: unknown };
  const problems = checkPluginShape('defense', module.default);
  if (problems.length) throw new Error(`defense '${entry.id}' (${entry.folder}): ${problems.join('; ')}`);
  return wrapDefense(module.default as DefensePlugin<AnyOptions>);
}

/** Look a plugin up by id, or throw an error that lists the ids that do exist. */
export function findPlugin<K extends PluginKind>(registry: Registry, kind: K, id: string): Registry[`${K}s`][number] {
  const list = registry[`${kind}s`] as Registry[`${K}s`];
  const found = list.find((entry) => entry.id === id);
  if (!found) {
    const known = list.map((entry) => entry.id);
    const broken = registry.problems.filter((p) => p.folder.replace(/\\/g, '/').endsWith(`${kindFolders[kind]}/${id}`));
    throw new Error(
      unknownPluginMessage(kind, id, known, broken.length ? broken.map((p) => p.message).join('; ') : undefined),
    );
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
      problems.push(
        ...checkOnePluginFolder(folder, kind).map((message) => ({
          folder: relative(root, folder).split(sep).join('/'),
          message,
        })),
      );
    }
  }
  return problems;
}

/** The file checks for one plugin folder (also used by `stealbench verify-plugin`). */
export function checkOnePluginFolder(folder: string, kind: PluginKind): string[] {
  const problems: string[] = [];
  const name = basename(folder);
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name))
    problems.push(`folder name '${name}' must be kebab-case (it is the plugin id)`);
  if (!existsSync(join(folder, 'index.ts')))
    problems.push(`missing index.ts (its default export is the ${kind} plugin)`);
  const readme = join(folder, 'README.md');
  if (!existsSync(readme))
    problems.push('missing README.md (what the plugin does, its paper, its options, what it assumes)');
  else if (statSync(readme).size === 0 || readFileSync(readme, 'utf8').trim() === '')
    problems.push('README.md is empty');
  if (!walkFiles(folder).some((rel) => isTestFile(basename(rel)))) {
    problems.push(
      `no test file: add e.g. ${name}.test.ts that calls test${kind[0]!.toUpperCase()}${kind.slice(1)}() ` +
        `from benchmark/testkit`,
    );
  }
  return problems;
}

/** Which kind a folder holds, from its parent folder's name (`attacks/x` → attack); null when not under one. */
export function kindOfFolder(folder: string): PluginKind | null {
  const parent = basename(dirname(resolve(folder)));
  for (const [kind, name] of Object.entries(kindFolders)) if (parent === name) return kind as PluginKind;
  return null;
}
