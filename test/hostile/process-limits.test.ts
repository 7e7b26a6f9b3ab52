// Hostile attacks that try to outgrow their limits, each through a real cell (issue 16.4): memory on the JavaScript
// heap, in Buffers (off-heap) and in wasm memory (tfjs tensors); output on stdout, stderr and ctx.log, in many lines
// and in one huge one. Contained: each is stopped at the limit set by the config (memoryMB) or the harness (4 MiB of
// output), the worker lives to record why, blamed on the attack, the cell's log stays small, nothing is left behind.
import { describe, expect, it } from 'vitest';
import { hostileAttack, runUndefended, type HostileRun } from './hostile-cells.ts';
import { expectContained } from './process-helpers.ts';

const MEMORY_MB = 1024;
const tick = 'await new Promise((resolve) => setImmediate(resolve));';

const memory = {
  'hostile-heap-bomb': hostileAttack(
    'hostile-heap-bomb',
    `
  const keep = [];
  for (let i = 0; ; i++) { keep.push(new Array(1 << 20).fill(i)); if (i % 16 === 0) ${tick} }`,
  ),
  'hostile-buffer-bomb': hostileAttack(
    'hostile-buffer-bomb',
    `
  const keep = [];
  for (;;) { keep.push(Buffer.alloc(64 << 20, 1)); ${tick} }`,
  ),
  'hostile-wasm-bomb': hostileAttack(
    'hostile-wasm-bomb',
    `
  const keep = [];
  for (;;) { keep.push(tf.ones([16 << 20])); ${tick} }`,
    `import * as tf from '@tensorflow/tfjs-core';`,
  ),
};
const output = {
  'hostile-floods-stdout': hostileAttack(
    'hostile-floods-stdout',
    `
  for (let i = 0; ; i++) { process.stdout.write('o'.repeat(10_000) + '\\n'); if (i % 50 === 0) ${tick} }`,
  ),
  'hostile-floods-stderr-sync': hostileAttack(
    'hostile-floods-stderr-sync',
    `
  for (;;) console.error('e'.repeat(1000));`,
  ),
  'hostile-floods-log': hostileAttack(
    'hostile-floods-log',
    `
  for (let i = 0; ; i++) {
    ctx.log('l'.repeat(100_000));
    ctx.progress(i, 1e9, 'p'.repeat(100_000));
    if (i % 10 === 0) ${tick}
  }`,
  ),
  'hostile-huge-log-line': hostileAttack(
    'hostile-huge-log-line',
    `
  ctx.log('z'.repeat(50_000_000));
  await new Promise(() => {});`,
  ),
};

describe('an attack cannot outgrow its memory or output limits', () => {
  let run: HostileRun;
  const attacks = { ...memory, ...output };

  it('runs the hostile attacks as real cells', async () => {
    run = await runUndefended(attacks, { budget: 8, cellTimeoutSeconds: 120, memoryMB: MEMORY_MB });
  }, 600_000);

  it.each(Object.keys(memory))('%s is stopped at its memory limit and blamed for it', (id) => {
    expectContained(run, id);
    const message = run.records[`none/${id}`]!.error!.message;
    // Heap: V8's limit from memoryMB; Buffers and wasm: RLIMIT_DATA (memoryMB + 512 MiB for the runtime).
    const expected: Record<string, RegExp> = {
      'hostile-heap-bomb': new RegExp(`ran out of memory \\(JavaScript heap limit ${MEMORY_MB} MB\\)`),
      'hostile-buffer-bomb': /Array buffer allocation failed|ran out of memory \(limit 1536 MiB/,
      'hostile-wasm-bomb': /memory access out of bounds|Out of memory|ran out of memory \(limit 1536 MiB/i,
    };
    expect(message).toMatch(expected[id]!);
  });

  it.each(Object.keys(output))('%s is stopped at the output limit; the cell log stays small', (id) => {
    expectContained(run, id);
    // Even a flood in a loop that never yields: the attack's stdout and stderr block until the harness has counted.
    expect(run.records[`none/${id}`]!.error!.message).toMatch(/more than 4 MiB of output/);
    expect(run.logs[`none/${id}`]!.length).toBeLessThan(5 * 1024 * 1024);
  });
});
