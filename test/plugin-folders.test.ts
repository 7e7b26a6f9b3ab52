// The repository check (ESLint's checkRuleFiles): every plugin folder in this repo has index.ts, README.md and a
// test, and loads cleanly; and the check itself catches a folder missing each of those, on a fixture tree.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPluginFolders, discoverPlugins, projectRoot } from '../benchmark/plugin/registry.ts';

describe('plugin folders of this repository', () => {
  it('each has index.ts, README.md and at least one test', () => {
    expect(checkPluginFolders(projectRoot)).toEqual([]);
  });
  it('each loads and passes the shape checks', async () => {
    const registry = await discoverPlugins(projectRoot);
    expect(registry.problems).toEqual([]);
  });
});

describe('checkPluginFolders on a fixture tree', () => {
  const root = mkdtempSync(join(tmpdir(), 'stealbench-folders-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const put = (path: string, text = 'x\n') => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  put('attacks/complete/index.ts');
  put('attacks/complete/README.md', '# Complete\n');
  put('attacks/complete/test/complete.test.ts');
  put('attacks/no-readme/index.ts');
  put('attacks/no-readme/no-readme.test.ts');
  put('defenses/empty-readme/index.ts');
  put('defenses/empty-readme/README.md', '  \n');
  put('defenses/empty-readme/empty-readme.test.ts');
  put('victims/no-test/index.ts');
  put('victims/no-test/README.md', '# v\n');
  put('victims/Bad_Name/README.md', '# v\n');
  put('victims/_shared/util.ts');

  it('reports the missing README, the empty README, the missing test, the missing index and a bad folder name', () => {
    const problems = checkPluginFolders(root);
    expect(problems).toEqual([
      {
        folder: 'attacks/no-readme',
        message: 'missing README.md (what the plugin does, its paper, its options, what it assumes)',
      },
      { folder: 'defenses/empty-readme', message: 'README.md is empty' },
      { folder: 'victims/Bad_Name', message: "folder name 'Bad_Name' must be kebab-case (it is the plugin id)" },
      { folder: 'victims/Bad_Name', message: 'missing index.ts (its default export is the victim plugin)' },
      {
        folder: 'victims/Bad_Name',
        message: 'no test file: add e.g. Bad_Name.test.ts that calls testVictim() from benchmark/testkit',
      },
      {
        folder: 'victims/no-test',
        message: 'no test file: add e.g. no-test.test.ts that calls testVictim() from benchmark/testkit',
      },
    ]);
  });
});
