// Splices generated Markdown into a README between `<!-- name:start -->` and `<!-- name:end -->` markers, so the
// experiment scripts rewrite only their own tables and leave the hand-written text around them alone.

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->` in a file (markers must exist). */
export function spliceBetweenMarkers(text: string, name: string, body: string, file: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`${file}: markers ${start} … ${end} not found (add them where the table belongs)`);
  return `${text.slice(0, i + start.length)}\n${body.trim()}\n${text.slice(j)}`;
}
