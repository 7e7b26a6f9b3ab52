// Public surface of the plugin core, every export by name.
export { defineAttack, defineDefense, defineVictim, defineConfig } from './define.ts';
export {
  createAjv,
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
} from './registry.ts';
export { listDataSplits, type SplitSummary } from './data-splits.ts';
