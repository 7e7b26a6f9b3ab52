// A plugin that throws, one that hangs, one that reads the victim's weights and one that exceeds its budget, each run
// as a real cell through the CLI: each is recorded with its state, reason and blame, the run goes on to finish the
// other cells, and nothing is left behind. The plugins are throw-away folders outside the repository's plugin folders
// (test/hostile/hostile-cells.ts), so other tests never see them.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { attackMeta, PUBLIC_ENTRY, repoRoot, runHostileCells, type HostileRun } from './hostile/hostile-cells.ts';

const header = `import { defineAttack, createEncoder } from ${PUBLIC_ENTRY};\n`;
const attacks: Record<string, string> = {
  'e2e-throws':
    `${header}export default defineAttack({ ${attackMeta('e2e-throws')}, ` +
    `async steal() { throw new Error('deliberate failure for the test'); } ` +
    `});\n`,
  'e2e-hangs':
    `${header}export default defineAttack({ ${attackMeta('e2e-hangs')}, ` +
    `async steal() { await new Promise(() => {}); throw new ` +
    `Error('unreachable'); } });\n`,
  'e2e-reads-victim': `${header}import { readFileSync } from 'node:fs';
export default defineAttack({ ${attackMeta('e2e-reads-victim')}, async steal(ctx) {
    // The victim's shipped weights, by absolute path: the sandbox must refuse the read.
    readFileSync(${JSON.stringify(join(repoRoot, 'victims', 'simclr-fmnist', 'weights', 'weights.bin'))});
    return createEncoder({ arch: 'small-cnn', inputShape: [28, 28, 1] }, ctx.seed);
  } });\n`,
  'e2e-overspends': `${header}export default defineAttack({ ${attackMeta('e2e-overspends')}, async steal(ctx) {
    await ctx.oracle.query(ctx.pool);
    await ctx.oracle.query(ctx.pool, { account: 1 });
    return createEncoder({ arch: 'small-cnn', inputShape: [28, 28, 1] }, ctx.seed);
  } });\n`,
};

describe('failing plugins in real cells', () => {
  let run: HostileRun;
  let hung: HostileRun;

  it(
    'records a throw, a hang, a read of the victim weights and an overspent ' +
      'budget with their reasons, and finishes the run',
    async () => {
      // The hanging attack in a run of its own with a short limit; the others with room for the legitimate users'
      // traffic, which the harness serves in front of the attacker's queries (interleaved).
      const { 'e2e-hangs': hangs, ...rest } = attacks;
      run = await runHostileCells({
        attacks: rest,
        useDefenses: ['none'],
        useAttacks: Object.keys(rest),
        cellTimeoutSeconds: 400,
      });
      hung = await runHostileCells({
        attacks: { 'e2e-hangs': hangs! },
        useDefenses: ['none'],
        useAttacks: ['e2e-hangs'],
        cellTimeoutSeconds: 40,
      });
      const byAttack = Object.fromEntries(
        [...Object.values(run.records), ...Object.values(hung.records)].map((r) => [r.cell.attack.id, r]),
      );
      expect(Object.keys(byAttack).sort(), run.stdout + hung.stdout).toEqual(Object.keys(attacks).sort());

      expect(byAttack['e2e-throws']!.state).toBe('failed');
      expect(byAttack['e2e-throws']!.error).toMatchObject({ phase: 'attack', plugin: 'e2e-throws' });
      expect(byAttack['e2e-throws']!.error!.message).toContain('deliberate failure for the test');

      expect(byAttack['e2e-hangs']!.state).toBe('timed-out');
      expect(byAttack['e2e-hangs']!.error!.plugin).toBe('e2e-hangs');

      expect(byAttack['e2e-reads-victim']!.state).toBe('failed');
      expect(byAttack['e2e-reads-victim']!.error!.plugin).toBe('e2e-reads-victim');
      expect(byAttack['e2e-reads-victim']!.error!.message).toMatch(
        /ERR_ACCESS_DENIED|Access to this API has been restricted|permission/i,
      );

      // The second batch, on another of its accounts, would take the attacker's ONE budget past 64: refused whole.
      const overspent = byAttack['e2e-overspends']!;
      expect(overspent.state).toBe('failed');
      expect(overspent.error!.message).toMatch(/budget exceeded/i);
      expect(overspent.error!.message).toMatch(/only 0 queries remain/);
      expect(overspent.traffic!.attackerQueries).toBe(64);
    },
    900_000,
  );

  it('leaves no process and no temp file behind', () => {
    expect([...run.leftoverProcesses, ...hung.leftoverProcesses]).toEqual([]);
    expect([...run.leftoverTemp, ...hung.leftoverTemp]).toEqual([]);
  });
});
