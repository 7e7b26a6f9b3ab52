// CONTRIBUTING.md is a promise: a newcomer who follows it alone can add an attack folder and see it on the
// leaderboard. This test follows it literally: the code blocks of the page become the plugin folder, the page's
// commands are run through the real CLI (with the page's experiment cut to one small cell), and the attack must appear
// on the rendered leaderboard.
import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const bin = join(root, 'benchmark/cli/bin.mjs');
const cli = (args: string[]) =>
  execa('node', [bin, ...args], { reject: false, cwd: root, env: { STEALBENCH_BACKEND: 'wasm' } });

const page = readFileSync(join(root, 'CONTRIBUTING.md'), 'utf8');
const blocks = (lang: string) =>
  [...page.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
const folder = join(root, 'attacks', 'noisy-mse');
/** The checklist's commands, for the example's id. */
const checklist = (() => {
  const section = page.slice(page.indexOf('## Checklist'), page.indexOf('## 1. Set up'));
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  return (block?.[1] ?? '')
    .trim()
    .split('\n')
    .map((line) => line.replaceAll('<id>', 'noisy-mse').split(/\s+/));
})();

describe('CONTRIBUTING.md, followed literally', () => {
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('adds an attack that passes the kit and shows up on the leaderboard', async () => {
    expect(existsSync(folder), 'attacks/noisy-mse already exists: this test needs the name free').toBe(false);
    const [indexTs, testTs] = blocks('ts');
    const [experiment] = blocks('json');
    expect(indexTs).toContain("id: 'noisy-mse'");
    // Build the folder aside and move it in whole, so that a parallel test never sees half a plugin.
    const staging = mkdtempSync(join(root, 'attacks', '.staging-'));
    writeFileSync(join(staging, 'index.ts'), indexTs!);
    writeFileSync(join(staging, 'noisy-mse.test.ts'), testTs!);
    writeFileSync(join(staging, 'README.md'), '# Noisy MSE\n\nThe CONTRIBUTING.md example.\n');
    renameSync(staging, folder);

    const listed = await cli(['list', '--json']);
    expect(listed.exitCode, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('noisy-mse');

    // The checklist, command by command (vitest of the folder is the kit's tests: run through verify-plugin's
    // twin here, since this test already runs inside vitest).
    expect(checklist.map((words) => words.slice(0, 3).join(' '))).toEqual([
      'npx vitest run',
      'npx stealbench verify-plugin',
      'npx eslint attacks/noisy-mse',
    ]);
    const verified = await cli(['verify-plugin', 'attacks/noisy-mse']);
    expect(verified.exitCode, verified.stdout + verified.stderr).toBe(0);
    const [, ...eslintArgs] = checklist[2]!;
    const linted = await execa('npx', eslintArgs, { reject: false, cwd: root });
    expect(linted.exitCode, linted.stdout + linted.stderr).toBe(0);

    // The page's experiment, cut to one small cell so the test stays quick.
    const config = {
      ...JSON.parse(experiment!),
      $schema: undefined,
      defenses: [{ id: 'none' }],
      attacks: [{ id: 'noisy-mse', options: [{ epochs: 1 }] }],
      budgets: [128],
      downstream: ['fmnist-small'],
    };
    const work = mkdtempSync(join(tmpdir(), 'stealbench-contrib-'));
    mkdirSync(work, { recursive: true });
    const configFile = join(work, 'experiment.json');
    writeFileSync(configFile, JSON.stringify(config));
    const out = join(work, 'run');
    const ran = await cli(['run', '--config', configFile, '--out', out]);
    expect(ran.exitCode, ran.stdout + ran.stderr).toBe(0);
    const board = await cli(['leaderboard', '--results', out, '--out', out]);
    expect(board.exitCode, board.stderr).toBe(0);
    const markdown = readFileSync(join(out, 'LEADERBOARD.md'), 'utf8');
    expect(markdown).toContain('noisy-mse');
  }, 900_000);
});
