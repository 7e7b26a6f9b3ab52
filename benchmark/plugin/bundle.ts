// The one way plugin code is compiled: esbuild, code only. Everything the harness learns about a plugin (its meta, in a
// sandbox; its steal(), in the attack's process) and its content hash comes from this build, so that what is hashed
// is exactly what runs.
//   - Only code is bundled: an import with attributes (`with { type: 'bytes' | 'json' | 'text' }`) or of a file that
//     is not JavaScript/TypeScript (.bin, .json, .txt, …) is refused, naming the plugin and the import. The bundler
//     runs outside the sandbox; inlining a data file would hand the plugin whatever the harness can read (a victim's
//     weights).
//   - A symlink in the plugin folder that leads out of the folder is refused (at discovery too: `symlinksLeaving`).
//   - The metafile lists every file the bundle read; `contentHash` hashes those (outside node_modules and the harness),
//     so an import from another folder re-keys the plugin and a file nobody imports (README, an experiment config) does
//     not.
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Message, type Metafile, type Plugin } from 'esbuild';
import type { PluginKind } from './types.ts';

const harnessRoot = resolve(fileURLToPath(new URL('../../', import.meta.url)));
/** The harness's own sources: keyed by the harness version (package.json), not by each plugin's hash. */
const harnessSources = join(harnessRoot, 'benchmark') + sep;

/** Extensions esbuild compiles as code; anything else a plugin imports is data and is refused. */
const CODE_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.tsx', '.jsx']);

const DATA_HINT = 'data reaches a plugin through the harness (its pool, its options)';
const refuse = (text: string) => ({ errors: [{ text }] });

/** A plugin (or the code it imports) asked the bundler for something that is not code inside its reach. */
export class PluginBundleError extends Error {
  override name = 'PluginBundleError';
  constructor(
    readonly plugin: string,
    readonly problems: string[],
  ) {
    super(`${plugin}: cannot be bundled:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

const inside = (folder: string, path: string) => {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

const shown = (path: string) => relative(harnessRoot, path).split(sep).join('/') || path;

/** The real path of a (possibly dangling) link target, as far as it exists. */
function linkTarget(link: string): string {
  try {
    return realpathSync(link);
  } catch {
    return resolve(dirname(link), readlinkSync(link));
  }
}

/**
 * Symlinks under `folder` (dot-folders included) whose target is outside it, as `path → target` sentences. A link
 * that stays inside the folder is harmless (its target is hashed and bundled like any file).
 */
export function symlinksLeaving(folder: string): string[] {
  const root = realpathSync(folder);
  const problems: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isSymbolicLink()) {
        const target = linkTarget(path);
        if (!inside(root, target)) {
          const link = `symlink ${relative(root, path)} → ${readlinkSync(path)}`;
          problems.push(
            `${link} leaves the plugin folder (it resolves to ${target}); ` +
              'a plugin folder must hold its files, not links to files elsewhere',
          );
        }
      } else if (entry.isDirectory() && entry.name !== 'node_modules') walk(path);
    }
  };
  walk(root);
  return problems;
}

/**
 * The esbuild plugin that keeps a bundle to code: refuses import attributes, non-code files, and files reached through
 * a symlink that leaves `pluginFolder`. Needs `preserveSymlinks: true` so that paths arrive as the plugin wrote them.
 */
export function codeOnly(pluginLabel: string, pluginFolder: string): Plugin {
  const folder = realpathSync(pluginFolder);
  return {
    name: 'stealbench-code-only',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (Object.keys(args.with ?? {}).length === 0) return undefined;
        const attributes = Object.entries(args.with)
          .map(([k, v]) => `${k}: '${v}'`)
          .join(', ');
        const where = `import '${args.path}' with { ${attributes} } in ${shown(args.importer)}`;
        return refuse(
          `${pluginLabel}: ${where} is refused: a plugin imports only code (no import attributes); ${DATA_HINT}`,
        );
      });
      b.onLoad({ filter: /.*/ }, (args) => {
        if (args.namespace !== 'file' || args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const ext = extname(args.path).toLowerCase();
        if (!CODE_EXTENSIONS.has(ext)) {
          const what = `${pluginLabel}: import of ${shown(args.path)} is refused`;
          return refuse(
            `${what}: a plugin imports only code (.ts, .js), not data files (${ext || 'no extension'}); ${DATA_HINT}`,
          );
        }
        let real: string;
        try {
          real = realpathSync(args.path);
        } catch {
          return undefined; // esbuild reports the missing file itself
        }
        if (real !== args.path && inside(folder, args.path) && !inside(folder, real)) {
          return refuse(
            `${pluginLabel}: ${shown(args.path)} is a symlink that leaves the plugin folder (to ${real}); refused`,
          );
        }
        return undefined;
      });
    },
  };
}

/** esbuild's errors as one sentence each, with the file and line when esbuild knows them. */
export function bundleProblems(errors: readonly Message[]): string[] {
  return errors.map((error) => {
    const where = error.location ? `${error.location.file}:${error.location.line}: ` : '';
    return `${where}${error.text}`;
  });
}

/** Options shared by every plugin build; npm packages stay external (they load from node_modules). */
export function pluginBuildOptions(pluginLabel: string, pluginFolder: string): BuildOptions {
  return {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node.split('.')[0]}`,
    packages: 'external',
    preserveSymlinks: true,
    logLevel: 'silent',
    metafile: true,
    plugins: [codeOnly(pluginLabel, pluginFolder)],
  };
}

export interface PluginBuild {
  /** The bundled module (ESM), its default export being the plugin. */
  code: string;
  /** Absolute paths of every file the bundle read outside node_modules. */
  inputs: string[];
}

/**
 * Bundles `<folder>/index.ts` with the code-only rules. Throws PluginBundleError naming the plugin and each refused
 * import. `keepImportMeta` (from attack-bundle.ts) is passed in by callers that run the result.
 */
export async function buildPlugin(folder: string, kind: PluginKind, extraPlugins: Plugin[] = []): Promise<PluginBuild> {
  const label = `${kind} '${folder.split(sep).pop()}'`;
  const leaving = symlinksLeaving(folder);
  if (leaving.length) throw new PluginBundleError(label, leaving);
  const options = pluginBuildOptions(label, folder);
  try {
    const result = await build({
      ...options,
      entryPoints: [join(realpathSync(folder), 'index.ts')],
      absWorkingDir: harnessRoot,
      write: false,
      outfile: 'plugin.mjs',
      plugins: [...options.plugins!, ...extraPlugins],
    });
    return { code: result.outputFiles[0]!.text, inputs: metafileInputs(result.metafile) };
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors;
    if (Array.isArray(errors) && errors.length) throw new PluginBundleError(label, bundleProblems(errors));
    throw error;
  }
}

/** Absolute paths of the metafile's inputs that are files on disk outside node_modules. */
export function metafileInputs(metafile: Metafile | undefined): string[] {
  return Object.keys(metafile?.inputs ?? {})
    .filter((input) => !input.includes(':') || isAbsolute(input)) // drops esbuild namespaces such as `<stdin>`
    .map((input) => resolve(harnessRoot, input))
    .filter((path) => !path.includes(`${sep}node_modules${sep}`))
    .sort();
}

/**
 * sha256 over every input of the plugin's bundle except the harness's own sources, each as (path relative to `root`,
 * size, bytes), in sorted order, plus `dataFiles` (a victim's weights) the same way. Stable for the same files.
 */
export function contentHash(root: string, inputs: readonly string[], dataFiles: readonly string[] = []): string {
  const hash = createHash('sha256');
  const files = [...new Set([...inputs.filter((path) => !path.startsWith(harnessSources)), ...dataFiles])]
    .map((path) => ({ path, label: relative(root, path).split(sep).join('/') }))
    .sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  for (const { path, label } of files) {
    const bytes = readFileSync(path);
    hash.update(`${label}\0${bytes.length}\0`);
    hash.update(bytes);
  }
  return hash.digest('hex');
}

/** The files under `folder` of a victim that are data (weights, metrics), for its content hash. */
export function victimDataFiles(folder: string, skip: (rel: string) => boolean): string[] {
  const files: string[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.') && entry.name !== 'node_modules' && !skip(`${rel}/`)) walk(path, rel);
      } else if (
        entry.isFile() &&
        !lstatSync(path).isSymbolicLink() &&
        !CODE_EXTENSIONS.has(extname(entry.name)) &&
        !skip(rel)
      ) {
        files.push(path);
      }
    }
  };
  walk(folder, '');
  return files;
}
