/** Runs `fn` at most once; later calls get the same promise (an expensive load or run shared by several readers). */
export function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => (promise ??= fn());
}
