// Runs torch_reference.py (same model, batch and optimizer, one thread) with /usr/bin/python3 and reads its JSON.
// Optional: when python or torch is missing the result says so instead of failing the benchmark.
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

export type TorchResult =
  { ok: true; msPerStep: number; torch: string; threads: number } | { ok: false; error: string };

const SCRIPT = fileURLToPath(new URL('./torch_reference.py', import.meta.url));

export async function runTorchReference(
  batch: number,
  steps: number,
  python = '/usr/bin/python3',
): Promise<TorchResult> {
  try {
    const { stdout } = await execa(python, [SCRIPT, `batch=${batch}`, `steps=${steps}`], { timeout: 600_000 });
    const line = stdout.trim().split('\n').pop() ?? '';
    const parsed = JSON.parse(line) as {
      ok: boolean;
      msPerStep?: number;
      torch?: string;
      threads?: number;
      error?: string;
    };
    if (!parsed.ok || typeof parsed.msPerStep !== 'number')
      return { ok: false, error: parsed.error ?? `unexpected output: ${line}` };
    return { ok: true, msPerStep: parsed.msPerStep, torch: parsed.torch ?? '?', threads: parsed.threads ?? 1 };
  } catch (error) {
    return {
      ok: false,
      error: `${python} ${SCRIPT} failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    };
  }
}
