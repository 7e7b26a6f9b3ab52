// Builds the single JavaScript file that the attack's process runs: the child side (attack-child.ts), the attack
// plugin and the project modules they import, bundled by esbuild; npm packages stay external and load from
// node_modules. Why a bundle: tsx compiles TypeScript through an esbuild service that it starts as a child process,
// and the permission model rightly forbids child processes to the attack — so the TypeScript is compiled here, in the
// harness, and the attack's process runs plain JavaScript with no loader hooks, no worker threads and no spawning.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { bundleProblems, PluginBundleError, pluginBuildOptions, symlinksLeaving } from '../plugin/bundle.ts';

const here = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));
const repoRoot = here('../../');

/**
 * Bundled code would see the bundle's own `import.meta.url`; a module that locates files next to itself must see its
 * original location, so each module's `import.meta.url` / `dirname` / `filename` is replaced by its source path.
 */
export const keepImportMeta: Plugin = {
  name: 'stealbench-keep-import-meta',
  setup(b) {
    b.onLoad({ filter: /\.[cm]?[jt]s$/ }, async (args) => {
      if (args.path.includes('/node_modules/')) return undefined;
      const source = await readFile(args.path, 'utf8');
      const contents = source
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
        .replaceAll('import.meta.dirname', JSON.stringify(fileURLToPath(new URL('.', pathToFileURL(args.path)))))
        .replaceAll('import.meta.filename', JSON.stringify(args.path));
      return {
        contents,
        loader: args.path.endsWith('.ts') || args.path.endsWith('.mts') || args.path.endsWith('.cts') ? 'ts' : 'js',
      };
    });
  },
};

/** The generated entry: lazy loaders, so that a plugin that fails to load is reported as a 'load' failure. */
function entrySource(modulePath: string): string {
  const path = (p: string) => JSON.stringify(p);
  return [
    `import { runAttackChild } from ${path(here('./attack-child.ts'))};`,
    'runAttackChild({',
    `  plugin: () => import(${path(modulePath)}),`,
    `  initEngine: async (backend) => (await import(${path(here('../engine/index.ts'))})).initEngine(backend ` +
      `? { backend } : {}),`,
    `  saveModel: async (model, dir) => { await (await import(${path(here('../nn/model-io.ts'))})).saveModel(model, ` +
      `dir); },`,
    '});',
  ].join('\n');
}

/**
 * Bundles the attack at `modulePath` into `outFile` (ESM), under the plugin bundling rules (plugin/bundle.ts): code
 * only, no import attributes or data files, no symlink out of the plugin's folder. Throws PluginBundleError naming the
 * plugin and each refused import, or esbuild's error (file, line, text).
 */
export async function bundleAttack(modulePath: string, outFile: string): Promise<void> {
  const folder = dirname(modulePath);
  const label = `attack '${folder.split(/[\\/]/).pop()}'`;
  const leaving = symlinksLeaving(folder);
  if (leaving.length) throw new PluginBundleError(label, leaving);
  const rules = pluginBuildOptions(label, folder);
  try {
    await build({
      ...rules,
      stdin: { contents: entrySource(modulePath), resolveDir: repoRoot, sourcefile: 'attack-entry.js', loader: 'js' },
      outfile: outFile,
      sourcemap: 'inline',
      metafile: false,
      plugins: [...rules.plugins!, keepImportMeta],
    });
  } catch (error) {
    const errors = (error as { errors?: Parameters<typeof bundleProblems>[0] }).errors;
    if (Array.isArray(errors) && errors.length) throw new PluginBundleError(label, bundleProblems(errors));
    throw error;
  }
}
