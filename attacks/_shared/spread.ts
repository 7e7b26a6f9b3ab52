// Spreading queries over accounts so that no account sends near-duplicates (against similar-query detection, which
// compares each query with the same account's history only). The attacker cannot see the victim's features before
// it pays, so similarity is judged on the pixels, through a seeded random projection to a few dimensions (cosine
// similarity in pixel space survives such a projection up to a small distortion, Johnson–Lindenstrauss), and each
// image goes to the account, among those with room left, whose most similar member is least similar to it.
import { createRng, deriveSeed, type ImageBatch } from '../../benchmark/index.ts';

/** Unit-length random projections of every image, `dims` numbers each, from a seeded Gaussian matrix. */
export function projectImages(images: ImageBatch, dims: number, seed: number): Float32Array {
  const size = images.height * images.width * images.channels;
  const rng = createRng(seed);
  const matrix = Float32Array.from({ length: size * dims }, () => rng.normal());
  const out = new Float32Array(images.count * dims);
  for (let i = 0; i < images.count; i++) {
    let norm = 0;
    for (let d = 0; d < dims; d++) {
      let sum = 0;
      for (let p = 0; p < size; p++) sum += images.data[i * size + p]! * matrix[p * dims + d]!;
      out[i * dims + d] = sum;
      norm += sum * sum;
    }
    norm = Math.sqrt(norm) || 1;
    for (let d = 0; d < dims; d++) out[i * dims + d]! /= norm;
  }
  return out;
}

/**
 * Assigns each image to one of `accounts` accounts, ⌊n/accounts⌋ or ⌈n/accounts⌉ each, so that similar images land in
 * different accounts: images are taken in a seeded order and each goes to the account with room whose closest member
 * (cosine of the projections) is farthest from it. Returns the account index of every image.
 */
export function diverseAssignment(images: ImageBatch, accounts: number, seed: number, dims = 32): Int32Array {
  const n = images.count;
  const assignment = new Int32Array(n);
  if (accounts <= 1) return assignment;
  // Balanced to one image: the first n mod k accounts take one more.
  const capacity = Array.from({ length: accounts }, (_, a) => Math.floor(n / accounts) + (a < n % accounts ? 1 : 0));
  const vectors = projectImages(images, dims, seed);
  const order = createRng(deriveSeed(seed, 'order')).shuffle(Array.from({ length: n }, (_, i) => i));
  const members: number[][] = Array.from({ length: accounts }, () => []);
  for (const image of order) {
    let best = -1;
    let bestSimilarity = Infinity;
    for (let a = 0; a < accounts; a++) {
      if (members[a]!.length >= capacity[a]!) continue;
      let closest = -Infinity;
      for (const other of members[a]!) {
        let dot = 0;
        for (let d = 0; d < dims; d++) dot += vectors[image * dims + d]! * vectors[other * dims + d]!;
        if (dot > closest) closest = dot;
      }
      // Ties (e.g. empty accounts) go to the emptiest account, then the lowest index: balanced and deterministic.
      if (closest < bestSimilarity || (closest === bestSimilarity && members[a]!.length < members[best]!.length)) {
        best = a;
        bestSimilarity = closest;
      }
    }
    members[best]!.push(image);
    assignment[image] = best;
  }
  return assignment;
}

/** For each account, the highest cosine similarity between two of its members' projections (its closest pair). */
export function closestPairPerAccount(
  images: ImageBatch,
  assignment: Int32Array,
  accounts: number,
  seed: number,
  dims = 32,
): number[] {
  const vectors = projectImages(images, dims, seed);
  const members: number[][] = Array.from({ length: accounts }, () => []);
  assignment.forEach((a, i) => members[a]!.push(i));
  return members.map((m) => {
    let max = -Infinity;
    for (let x = 0; x < m.length; x++) {
      for (let y = x + 1; y < m.length; y++) {
        let dot = 0;
        for (let d = 0; d < dims; d++) dot += vectors[m[x]! * dims + d]! * vectors[m[y]! * dims + d]!;
        if (dot > max) max = dot;
      }
    }
    return max;
  });
}
