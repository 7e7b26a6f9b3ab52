// Shared by `stealbench run` and `stealbench merge`: which config (--config file or --profile name) and which plugin
// registry (discovered, or a module given with --registry for tests and custom setups).
import { readdirSync } from 'node:fs';
import type { Command } from 'commander';
import {
  ConfigError,
  DEFAULT_PROFILE,
  loadConfigFile,
  PROFILES_DIR,
  profilePath,
  type RunConfig,
} from '../runner/config.ts';
import { loadDefaultRegistry, loadRegistryModule, type RunnerRegistry } from '../runner/registry.ts';

export interface ConfigChoice {
  config?: string;
  profile?: string;
}

/** The config and the file it came from. Throws ConfigError (exit code 2 in the commands). */
export function chooseConfig(opts: ConfigChoice): { config: RunConfig; source: string } {
  if (opts.config && opts.profile) {
    throw new ConfigError('command line', [{ path: '', message: 'give either --config or --profile, not both' }]);
  }
  const source = opts.config ?? profilePath(opts.profile ?? DEFAULT_PROFILE);
  return { config: loadConfigFile(source), source };
}

export async function chooseRegistry(modulePath: string | undefined): Promise<RunnerRegistry> {
  return modulePath ? loadRegistryModule(modulePath) : loadDefaultRegistry();
}

/** The profiles that ship in benchmark/profiles/, by name: what `--help` lists is what is there. */
export function builtInProfiles(): string[] {
  return readdirSync(PROFILES_DIR)
    .filter((name) => name.endsWith('.json'))
    .map((name) => name.slice(0, -'.json'.length))
    .sort();
}

export function addConfigOptions(command: Command): Command {
  return command
    .option('--config <file>', 'benchmark config file (JSON; see schemas/config.schema.json)')
    .option('--profile <name>', `built-in profile: ${builtInProfiles().join(' | ')} (default ${DEFAULT_PROFILE})`)
    .option(
      '--registry <module>',
      'module exporting a runner registry to use instead of discovering plugins (tests, custom setups)',
    );
}

export function parsePositiveInteger(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw new Error(`expected a positive integer, found ${JSON.stringify(text)}`);
  return Number(text);
}
