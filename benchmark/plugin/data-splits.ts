// The plugin core asks the data layer which splits exist (for `stealbench list` and the victim checks) without
// depending on it: the data layer is looked up lazily and may be absent or not yet export `listSplits`.

export interface SplitSummary {
  name: string;
  count?: number;
  shape?: readonly number[];
  description?: string;
  [more: string]: unknown;
}

const candidates = ['../data/index.ts', '../data/splits.ts'];

function isMissingModule(error: unknown): boolean {
  return (
    (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' ||
    /Cannot find module|Failed to load url|Does the file exist/.test(String(error))
  );
}

/** The data layer's published splits, or null (with the reason) when it does not list them. */
export async function listDataSplits(): Promise<{ splits: SplitSummary[] } | { splits: null; note: string }> {
  for (const path of candidates) {
    let module: { listSplits?: () => unknown };
    try {
      module = (await import(new URL(path, import.meta.url).href)) as typeof module;
    } catch (error) {
      if (isMissingModule(error)) continue;
      throw error;
    }
    if (typeof module.listSplits !== 'function') continue;
    const splits = await module.listSplits();
    if (!Array.isArray(splits))
      return { splits: null, note: `listSplits() in benchmark/data returned ${typeof splits}, not an array` };
    return { splits: splits.map((s) => (typeof s === 'string' ? { name: s } : (s as SplitSummary))) };
  }
  return { splits: null, note: 'benchmark/data does not export listSplits yet' };
}
