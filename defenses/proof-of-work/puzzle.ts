// HashCash puzzles (Back 2002), as used by calibrated proof-of-work: find a nonce such that
// sha256(challenge + ':' + nonce) starts with `bits` zero bits. Expected work is 2^bits hashes; checking an answer
// takes one hash. Hashing uses node:crypto.
import { createHash } from 'node:crypto';

export interface Solution {
  nonce: number;
  /** Hashes computed to find the nonce (the nonce's own hash included). */
  hashes: number;
  /** Hex digest of the winning message. */
  digest: string;
}

/** Leading zero bits of a byte string. */
export function leadingZeroBits(bytes: Uint8Array): number {
  let bits = 0;
  for (const byte of bytes) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

export function puzzleDigest(challenge: string, nonce: number): Buffer {
  return createHash('sha256').update(`${challenge}:${nonce}`).digest();
}

/** Search nonces 0, 1, 2... until the digest has `bits` leading zero bits. */
export function solvePuzzle(challenge: string, bits: number): Solution {
  if (!Number.isInteger(bits) || bits < 0 || bits > 64)
    throw new RangeError(`solvePuzzle: bits must be an integer in [0, 64], got ${bits}`);
  for (let nonce = 0; ; nonce++) {
    const digest = puzzleDigest(challenge, nonce);
    if (leadingZeroBits(digest) >= bits) return { nonce, hashes: nonce + 1, digest: digest.toString('hex') };
  }
}

/** One hash: does `nonce` solve the puzzle? */
export function verifyPuzzle(challenge: string, nonce: number, bits: number): boolean {
  return leadingZeroBits(puzzleDigest(challenge, nonce)) >= bits;
}
