// The project's one marker syntax for generated blocks in Markdown: `<!-- name:start -->` … `<!-- name:end -->`
// (as in victims/README.md and the defenses README). Hand-written text around the block is left alone.

/** `<!-- name:start -->`: where a generated block begins. */
export const markerStart = (name: string) => `<!-- ${name}:start -->`;
/** `<!-- name:end -->`: where a generated block ends. */
export const markerEnd = (name: string) => `<!-- ${name}:end -->`;

/** `body` between the markers `name`, as it appears in a file. */
export function markedBlock(name: string, body: string): string {
  return `${markerStart(name)}\n${body.trim()}\n${markerEnd(name)}`;
}

/**
 * `text` with the block between the `name` markers replaced by `body`. When the markers are absent, `heading` (if
 * given) and the marked block are appended at the end; without `heading` that is an error naming the file.
 */
export function spliceMarkedBlock(text: string, name: string, body: string, file: string, heading?: string): string {
  const start = markerStart(name);
  const end = markerEnd(name);
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i >= 0 && j > i) return `${text.slice(0, i)}${markedBlock(name, body)}${text.slice(j + end.length)}`;
  if (i >= 0 || j >= 0) throw new Error(`${file}: found only one of the markers ${start} … ${end}`);
  if (heading === undefined)
    throw new Error(`${file}: markers ${start} … ${end} not found (add them where the table belongs)`);
  return `${text.trimEnd()}\n\n${heading}\n\n${markedBlock(name, body)}\n`;
}
