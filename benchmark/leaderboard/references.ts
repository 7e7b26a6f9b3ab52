// Reference rows shown beside the attacks (issue 11.3): raw pixels, the random-weight encoder of the victim's
// architecture (mean ± sd over its inits), the independent encoder and the victim, all measured with the probe that
// scores stolen copies. They come from the victims evaluation (`victims/evaluation.json`, the output of
// `stealbench evaluate-victims --json`), never from the records' cells, and are matched to a victim by id and arch.

/** The part of `victims/evaluation.json` the leaderboard reads (see benchmark/victims/evaluate.ts). */
export interface ReferenceData {
  victims: {
    id: string;
    arch?: string;
    accuracy: Record<string, number>;
    /** CKA and mean cosine of this encoder's representations to its victim's (independent encoders only). */
    fidelity?: { cka?: number; cosine?: number };
  }[];
  baselines: {
    id: string;
    label?: string;
    /** Architecture of a random-weight baseline; when absent it is read from an id `random-<arch>`. */
    arch?: string;
    accuracy: Record<string, number>;
    /** Standard deviation over inits, per task (or one number for every task). */
    sd?: number | Record<string, number>;
    inits?: number | Record<string, number>;
  }[];
}

export interface ReferenceValue {
  accuracy: number;
  /** Spread over inits (random weights only). */
  sd?: number;
  inits?: number;
}

export interface VictimReferences {
  rawPixels: Record<string, ReferenceValue>;
  random: Record<string, ReferenceValue>;
  randomLabel: string | null;
  independent: Record<string, ReferenceValue>;
  independentId: string | null;
  independentFidelity: { cka?: number; cosine?: number } | null;
  victim: Record<string, ReferenceValue>;
}

const perTask = (value: number | Record<string, number> | undefined, task: string): number | undefined =>
  typeof value === 'number' ? value : value?.[task];

function values(
  accuracy: Record<string, number> | undefined,
  extra?: { sd?: number | Record<string, number>; inits?: number | Record<string, number> },
): Record<string, ReferenceValue> {
  const out: Record<string, ReferenceValue> = {};
  for (const [task, value] of Object.entries(accuracy ?? {})) {
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    const sd = perTask(extra?.sd, task);
    const inits = perTask(extra?.inits, task);
    out[task] = { accuracy: value, ...(sd !== undefined ? { sd } : {}), ...(inits !== undefined ? { inits } : {}) };
  }
  return out;
}

/**
 * The reference rows of one victim. The random baseline is the one whose `arch` (or id `random-<arch>`) is the
 * victim's architecture, else the only `random…` baseline when there is one; the independent encoder is the victim
 * row `<victim>-independent`.
 */
export function victimReferences(data: ReferenceData, victimId: string): VictimReferences {
  const victim = data.victims.find((v) => v.id === victimId);
  const randoms = data.baselines.filter((b) => b.id.startsWith('random'));
  const arch = victim?.arch;
  const random =
    randoms.find((b) => arch !== undefined && (b.arch === arch || b.id === `random-${arch}`)) ??
    (randoms.length === 1 ? randoms[0] : undefined);
  const independent = data.victims.find((v) => v.id === `${victimId}-independent`);
  return {
    rawPixels: values(data.baselines.find((b) => b.id === 'raw-pixels')?.accuracy),
    random: values(random?.accuracy, random),
    randomLabel: random ? (random.label ?? random.id) : null,
    independent: values(independent?.accuracy),
    independentId: independent?.id ?? null,
    independentFidelity: independent?.fidelity ?? null,
    victim: values(victim?.accuracy),
  };
}

/**
 * Normalised recovery R = (stolen − random) / (victim − random): 0 is what random weights of the victim's
 * architecture give, 1 is the victim. Null when the victim does not beat random weights (R has no meaning then).
 */
export function normalisedRecovery(stolen: number, random: number, victim: number): number | null {
  const room = victim - random;
  if (!(room > 0)) return null;
  return (stolen - random) / room;
}

/** Checks the shape of a parsed evaluation file; throws naming the file and the field. */
export function checkReferenceData(data: unknown, file: string): ReferenceData {
  const fail = (field: string, expected: string): never => {
    throw new Error(`${file}: ${field}: expected ${expected}`);
  };
  if (data === null || typeof data !== 'object') fail('(top level)', 'an object with victims[] and baselines[]');
  const d = data as Record<string, unknown>;
  if (!Array.isArray(d.victims)) fail('victims', 'an array');
  if (!Array.isArray(d.baselines)) fail('baselines', 'an array');
  const rows = [
    ...(d.victims as unknown[]).map((v, i) => [`victims[${i}]`, v] as const),
    ...(d.baselines as unknown[]).map((b, i) => [`baselines[${i}]`, b] as const),
  ];
  for (const [where, row] of rows) {
    if (row === null || typeof row !== 'object') fail(where, 'an object');
    const r = row as Record<string, unknown>;
    if (typeof r.id !== 'string') fail(`${where}.id`, 'a string');
    if (r.accuracy === null || typeof r.accuracy !== 'object') fail(`${where}.accuracy`, 'an object of task → number');
  }
  return data as ReferenceData;
}
