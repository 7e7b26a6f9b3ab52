// Public surface of the plugin core, every export by name.
export { defineAttack, defineDefense, defineVictim, defineConfig } from './define.ts';
export {
  compileOptionsSchema,
  resolveOptions,
  checkOptionDefaults,
  describeOptions,
  deepFreeze,
  formatPointer,
  PluginOptionsError,
  PluginSchemaError,
  type OptionIssue,
  type OptionDescription,
  type OptionsCarrier,
} from './options.ts';
export { checkPluginShape, guessPluginKind } from './shape.ts';
export { wrapPluginCall, wrapAttack, wrapDefense, wrapGuard, PluginHookError } from './wrap.ts';
export {
  discoverPlugins,
  extraPluginRoots,
  importDefense,
  importPluginForKit,
  PLUGIN_PATH_ENV,
  pluginHash,
  findPlugin,
  checkPluginFolders,
  checkOnePluginFolder,
  hashPluginFolder,
  listPluginFolders,
  loadPluginFolder,
  kindOfFolder,
  kindFolders,
  projectRoot,
  type Registry,
  type RegisteredPlugin,
  type PluginProblem,
  type LoadedPlugin,
  type AttackData,
  type DefenseData,
  type PluginFilter,
} from './registry.ts';
export { buildPlugin, codeOnly, contentHash, symlinksLeaving, PluginBundleError, type PluginBuild } from './bundle.ts';
export { readPluginInSandbox, type SandboxReport, type SandboxRead } from './sandbox-data.ts';
export { listDataSplits, type SplitSummary } from './data-splits.ts';
