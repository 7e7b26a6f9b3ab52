// Text that a plugin controls (error messages, stacks) enters records and logs only capped: a plugin must not be
// able to blow up a record (a 20 MB error string once became a 42 MB record) or bury the harness's own text.

/** Most characters of plugin-supplied error text kept in a record. */
export const MAX_ERROR_CHARS = 2000;
/** Most characters of a plugin-supplied stack kept in a record. */
export const MAX_STACK_CHARS = 4000;

/** `text` if it is at most `max` characters long, else its start and a note of how much was cut (total ≤ max). */
export function capText(text: string, max = MAX_ERROR_CHARS): string {
  if (text.length <= max) return text;
  const note = (cut: number) => ` […] (${cut} more characters cut: plugin error text is capped at ${max} characters)`;
  // The note's own length depends on the number it prints; the widest number is the text's length.
  const keep = Math.max(0, max - note(text.length).length);
  return text.slice(0, keep) + note(text.length - keep);
}
