// The harness version that enters every cell key and record: the `version` field of the project's package.json.
// Bumping it invalidates every cached result, which is what a change of scoring or protocol should do.
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function harnessVersion(): string {
  if (cached === undefined) {
    const file = new URL('../../package.json', import.meta.url);
    const json = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
    if (typeof json.version !== 'string') throw new Error(`${file.pathname}: field "version" must be a string`);
    cached = json.version;
  }
  return cached;
}
