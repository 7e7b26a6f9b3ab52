// `kill -9` of the main `stealbench run` process while a hostile attack runs (issue 16.4): the attack ignores every
// catchable signal and holds its cell. Contained: within seconds no worker and no attack process of the run is left
// (the worker sees its IPC channel close and exits; the kernel kills the attack's tree with it), the run's temp
// folders (query pool, bundle, cell folder) are gone, and no completed record exists.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostileAttack, makePluginRoot, processesMentioning, startRun, writePlugin } from './hostile-cells.ts';

const id = 'hostile-holds-cell';
const source = hostileAttack(
  id,
  `
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => {});
  await ctx.oracle.query({ ...ctx.pool, count: 1, data: ctx.pool.data.subarray(0, ctx.pool.height * ctx.pool.width * ctx.pool.channels) });
  ctx.log('attack is running');
  await new Promise(() => {});`,
);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, condition: () => boolean, seconds: number): Promise<void> {
  const until = Date.now() + seconds * 1000;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
    await sleep(200);
  }
}

describe('kill -9 of the main process', () => {
  const root = makePluginRoot();
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('leaves no worker, no attack process and no temp folder', async () => {
    writePlugin(root, 'attacks', id, source);
    const {
      running: main,
      out,
      temp,
    } = startRun(root, {
      name: 'hostile-kill',
      defenses: ['none'],
      attacks: [id],
      budget: 8,
      cellTimeoutSeconds: 300,
      memoryMB: 2048,
      concurrency: 1,
    });
    const attackRunning = () => {
      const logs = join(out, 'logs');
      return (
        existsSync(logs) &&
        readdirSync(logs).some((f) => readFileSync(join(logs, f), 'utf8').includes('attack is running'))
      );
    };
    await waitFor('the attack to start', () => attackRunning() || main.exitCode !== null, 240);
    expect(attackRunning(), 'the run ended before its attack started').toBe(true);
    const before = processesMentioning(root);
    expect(
      before.some((p) => p.includes('worker.ts')),
      before.join('\n'),
    ).toBe(true);
    expect(
      before.some((p) => p.includes('attack.mjs')),
      before.join('\n'),
    ).toBe(true);
    expect(readdirSync(temp).filter((name) => name.startsWith('stealbench-')).length).toBeGreaterThan(0);

    main.kill('SIGKILL');
    await main;
    const harnessTemp = () => readdirSync(temp).filter((name) => name.startsWith('stealbench-'));
    await waitFor('the worker and the attack to go', () => processesMentioning(root).length === 0, 15).catch(() => {});
    expect(processesMentioning(root)).toEqual([]);
    await waitFor('the temp folders to go', () => harnessTemp().length === 0, 5).catch(() => {});
    expect(harnessTemp()).toEqual([]);
    const results = join(out, 'results');
    const records = existsSync(results) ? readdirSync(results) : [];
    expect(records).toEqual([]);
  }, 300_000);
});
