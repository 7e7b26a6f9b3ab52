// The one error type every dataset reader throws for a file it cannot use.
// The message always names the file, what the reader expected and what it found, so a user with a truncated download
// or the wrong file knows what to fix without reading our code.

export class DataFormatError extends Error {
  constructor(
    readonly file: string,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`${file}: expected ${expected}, found ${found}`);
    this.name = 'DataFormatError';
  }
}
