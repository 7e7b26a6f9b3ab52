// Canonical JSON and content hashes: the basis of cell keys.
// Canonical form is RFC 8785 (JSON Canonicalization Scheme) via the `canonicalize` package: object keys sorted,
// no whitespace, numbers in their shortest round-trip form. Two values that mean the same JSON give the same string,
// whatever order their keys were written in.
import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';

/** RFC 8785 canonical JSON of a plain JSON value. Throws on NaN, Infinity, functions or cycles. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) throw new TypeError('canonicalJson: undefined is not a JSON value');
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError(`canonicalJson: ${typeof value} is not a JSON value`);
  return text;
}

/** Hex sha256 of a string (utf-8) or bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
