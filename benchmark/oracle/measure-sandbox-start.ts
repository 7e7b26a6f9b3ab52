// What the OS sandbox costs an attack's start (SECURITY.md, "Overhead per cell"): spawn → first IPC message, through
// the sandbox this machine allows and through plain node, both under the same permission flags, interleaved.
//   npx tsx benchmark/oracle/measure-sandbox-start.ts [repetitions=20]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { attackUid, detectIsolation, sandboxCommand, type Isolation } from './attack-sandbox.ts';
const reps = Number(process.argv[2] ?? 20);
const nodeModules = fileURLToPath(new URL('../../node_modules', import.meta.url));
const nodeArgs = [
  '--experimental-permission',
  `--allow-fs-read=${nodeModules}`,
  '--no-warnings',
  '-e',
  'process.send("up"); process.exit(0)',
];
const limits = { dataBytes: 4608 * 2 ** 20, cpuSeconds: 600, fileBytes: 4096 * 2 ** 20 };
const strong = detectIsolation();
const none: Isolation = { level: 'process-group', strong: false, setpriv: false, prlimit: false, description: 'none' };
function once(isolation: Isolation): Promise<number> {
  const { file, args } = sandboxCommand(isolation, attackUid(), limits, nodeArgs);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      detached: true,
      env: { PATH: process.env.PATH! },
    });
    child.once('message', () => resolve(performance.now() - t0));
    child.once('exit', (code) => code !== 0 && reject(new Error(`exit ${code}`)));
  });
}
const times: Record<string, number[]> = { none: [], [strong.level]: [] };
for (let i = 0; i < reps; i++) {
  times.none!.push(await once(none));
  times[strong.level]!.push(await once(strong));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const [level, xs] of Object.entries(times)) {
  const ms = (x: number) => x.toFixed(1);
  console.log(
    `${level}: median ${ms(median(xs))} ms, min ${ms(Math.min(...xs))}, max ${ms(Math.max(...xs))} (n=${xs.length})`,
  );
}
