// A plugin that throws, one that hangs, one that reads the victim's weights and one that exceeds its budget, each run as a real cell through the CLI:
// each is recorded with its state and reason, and the run goes on to finish the other cells.
import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CellRecord } from '../benchmark/runner/record.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const bin = join(root, 'benchmark/cli/bin.mjs');

const header = `import { defineAttack, createEncoder } from '../../benchmark/index.ts';\n`;
const meta = (id: string) => `meta: { id: '${id}', title: '${id}', paper: 'test fixture' }`;
const attacks: Record<string, string> = {
  'e2e-throws': `${header}export default defineAttack({ ${meta('e2e-throws')}, async steal() { throw new Error('deliberate failure for the test'); } });\n`,
  'e2e-hangs': `${header}export default defineAttack({ ${meta('e2e-hangs')}, async steal() { await new Promise(() => {}); throw new Error('unreachable'); } });\n`,
  'e2e-reads-victim': `${header}import { readFileSync } from 'node:fs';
export default defineAttack({ ${meta('e2e-reads-victim')}, async steal(ctx) {
    // The victim's shipped weights, by absolute path: the sandbox must refuse the read.
    readFileSync(${JSON.stringify(join(root, 'victims', 'simclr-fmnist', 'weights', 'weights.bin'))});
    return createEncoder({ arch: 'small-cnn', inputShape: [28, 28, 1] }, ctx.seed);
  } });\n`,
  'e2e-overspends': `${header}export default defineAttack({ ${meta('e2e-overspends')}, async steal(ctx) {
    await ctx.oracle.query(ctx.pool);
    await ctx.oracle.query(ctx.pool);
    return createEncoder({ arch: 'small-cnn', inputShape: [28, 28, 1] }, ctx.seed);
  } });\n`,
};
const folders = Object.keys(attacks).map((id) => join(root, 'attacks', id));

describe('failing plugins in real cells', () => {
  afterAll(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

  it('records a throw, a hang, a read of the victim weights and an overspent budget with their reasons, and finishes the run', async () => {
    for (const [id, source] of Object.entries(attacks)) {
      const staging = mkdtempSync(join(root, 'attacks', '.staging-'));
      writeFileSync(join(staging, 'index.ts'), source);
      writeFileSync(join(staging, 'README.md'), `# ${id}\n\nA deliberately failing test fixture.\n`);
      writeFileSync(join(staging, `${id}.test.ts`), `import { it } from 'vitest';\nit.todo('fixture');\n`);
      renameSync(staging, join(root, 'attacks', id));
    }
    const work = mkdtempSync(join(tmpdir(), 'stealbench-failing-'));
    const config = {
      name: 'failing-plugins', victims: ['simclr-fmnist'], defenses: [{ id: 'none' }],
      attacks: Object.keys(attacks).map((id) => ({ id })), budgets: [64], pools: ['fmnist/attacker-pool'], seeds: [0],
      downstream: ['fmnist'], limits: { cellTimeoutSeconds: 40, memoryMB: 2048, concurrency: 2 },
    };
    writeFileSync(join(work, 'config.json'), JSON.stringify(config));
    const out = join(work, 'run');
    const ran = await execa('node', [bin, 'run', '--config', join(work, 'config.json'), '--out', out], { reject: false, cwd: root });
    expect(ran.exitCode, ran.stdout + ran.stderr).toBe(1); // some cells failed; the run itself finished
    const records = readdirSync(join(out, 'results')).map((f) => JSON.parse(readFileSync(join(out, 'results', f), 'utf8')) as CellRecord);
    const byAttack = Object.fromEntries(records.map((r) => [r.cell.attack.id, r]));
    expect(Object.keys(byAttack).sort()).toEqual(Object.keys(attacks).sort());

    expect(byAttack['e2e-throws']!.state).toBe('failed');
    expect(byAttack['e2e-throws']!.error).toMatchObject({ plugin: 'e2e-throws' });
    expect(byAttack['e2e-throws']!.error!.message).toContain('deliberate failure for the test');

    expect(byAttack['e2e-hangs']!.state).toBe('timed-out');
    expect(byAttack['e2e-hangs']!.error!.plugin).toBe('e2e-hangs');

    expect(byAttack['e2e-reads-victim']!.state).toBe('failed');
    expect(byAttack['e2e-reads-victim']!.error!.message).toMatch(/ERR_ACCESS_DENIED|Access to this API has been restricted|permission/i);

    expect(byAttack['e2e-overspends']!.state).toBe('failed');
    expect(byAttack['e2e-overspends']!.error!.message).toMatch(/budget exceeded/i);
    expect(byAttack['e2e-overspends']!.error!.message).toMatch(/0 queries remain|only 0/);
  }, 600_000);
});
