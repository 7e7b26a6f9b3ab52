// Calibrated proof-of-work (Dziedzic et al., ICLR 2022; paper section 5.5): before reading an answer, an account
// solves one HashCash puzzle per query whose difficulty grows with how far its behaviour departs from a legitimate
// user's.
// Measuring the departure. The original work calibrates difficulty by the privacy leakage of the queries (PATE), which
// has no counterpart for representations (section 5.5). We take the information the queries reveal about the
// embedding space instead: each query's victim representation is hashed into one of 2^hyperplanes random-hyperplane
// LSH buckets, and the account's leakage is the Shannon entropy H (bits) of its bucket histogram so far. A user
// solving one downstream task keeps returning to the same regions (low H); an extraction attack sweeps the space
// (H approaches log2 of the buckets it can reach). The legitimate profile is `legitimateBits`: by default ('calibrate')
// the guard measures it itself, as the bucket entropy of `calibrationQueries` images of the provider's own training
// data under the same hyperplanes, plus `marginBits`. A fixed number is fragile: the hyperplanes come from the cell's
// seed, and the same legitimate traffic measured 3.2 bits under one seed's planes and above 3.5 under another's, so a
// fixed profile of 3.5 charged legitimate users like attackers. Then
//   difficulty(query) = min(maxBits, baseBits + round(scale · max(0, H − legitimateBits))),
// with H including the query itself. Puzzles up to `solveCapBits` are really solved here on the account's behalf
// (hashes counted, seconds timed); above the cap the expected 2^bits hashes are recorded, with seconds at the hash
// rate measured so far, and the response says which part was estimated.
import { performance } from 'node:perf_hooks';
import {
  BucketCounts,
  lshFromOptions,
  lshOptionSchemas,
  requestRepresentations,
  type LshOptions,
  type RandomHyperplaneLsh,
} from '../_shared/lsh.ts';
import { solvePuzzle } from './puzzle.ts';
import {
  defineDefense,
  type AccountReport,
  type ImageSet,
  type VictimDeployment,
  deriveSeed,
  createRng,
} from '../../benchmark/index.ts';

export interface ProofOfWorkOptions extends LshOptions {
  legitimateBits: number | 'calibrate';
  calibrationQueries: number;
  marginBits: number;
  baseBits: number;
  maxBits: number;
  scale: number;
  solveCapBits: number;
}

/** Difficulty in leading zero bits for an account whose bucket entropy is `entropyBits`. */
export function difficultyBits(
  entropyBits: number,
  o: Pick<ProofOfWorkOptions, 'baseBits' | 'maxBits' | 'scale'> & { legitimateBits: number },
): number {
  return Math.min(o.maxBits, o.baseBits + Math.round(o.scale * Math.max(0, entropyBits - o.legitimateBits)));
}

/** Work done by (or charged to) an account. `hashes`/`seconds` are totals; the estimated parts are included in them. */
export interface WorkTally {
  hashes: number;
  seconds: number;
  estimatedHashes: number;
  estimatedSeconds: number;
  puzzles: number;
  maxBits: number;
}

const emptyTally = (): WorkTally => ({
  hashes: 0,
  seconds: 0,
  estimatedHashes: 0,
  estimatedSeconds: 0,
  puzzles: 0,
  maxBits: 0,
});

export default defineDefense<ProofOfWorkOptions>({
  meta: {
    id: 'proof-of-work',
    title: 'Calibrated proof-of-work (HashCash, difficulty from embedding-space entropy)',
    paper:
      'Dziedzic, Kaleem, Lu, Papernot, "Increasing the Cost of Model ' +
      'Extraction with Calibrated Proof of Work", ICLR 2022; discussed for ' +
      'encoders in Dziedzic et al., ICML 2022, section 5.5',
    kind: 'active',
    options: {
      type: 'object',
      properties: {
        ...lshOptionSchemas('LSH hyperplanes over the representations (2^hyperplanes buckets).'),
        legitimateBits: {
          anyOf: [{ type: 'number', minimum: 0 }, { const: 'calibrate' }],
          default: 'calibrate',
          description:
            'Bucket entropy (bits) of a legitimate user, no extra difficulty below ' +
            "it; 'calibrate': measured on the provider's training data " +
            '(calibrationQueries images) plus marginBits.',
        },
        calibrationQueries: {
          type: 'integer',
          minimum: 2,
          default: 1500,
          description:
            "With legitimateBits 'calibrate': how many of the provider's training " +
            'images make the legitimate profile (1500 = one legitimate session of a ' +
            'cell).',
        },
        marginBits: {
          type: 'number',
          minimum: 0,
          default: 0.3,
          description:
            "With legitimateBits 'calibrate': entropy allowed above the measured profile before difficulty rises.",
        },
        baseBits: {
          type: 'integer',
          minimum: 0,
          maximum: 64,
          default: 4,
          description: 'Difficulty (leading zero bits) for legitimate-like behaviour.',
        },
        maxBits: {
          type: 'integer',
          minimum: 0,
          maximum: 64,
          default: 40,
          description: 'Highest difficulty ever asked.',
        },
        scale: {
          type: 'number',
          minimum: 0,
          default: 8,
          description: 'Extra difficulty bits per bit of entropy above the legitimate profile.',
        },
        solveCapBits: {
          type: 'integer',
          minimum: 0,
          maximum: 32,
          default: 12,
          description: 'Puzzles above this difficulty are estimated (2^bits hashes), not solved.',
        },
      },
      required: [],
      additionalProperties: false,
    },
  },
  async guard(victim, options, ctx) {
    if (options.maxBits < options.baseBits)
      throw new RangeError(`proof-of-work: maxBits (${options.maxBits}) must be >= baseBits (${options.baseBits})`);
    const accounts = new Map<string, { buckets: BucketCounts; tally: WorkTally }>();
    const lsh = await lshFromOptions(victim, victim.representationDim, options, ctx.seed, 'proof-of-work');
    let legitimateBits: number;
    if (options.legitimateBits === 'calibrate') {
      if (!ctx.loadPrivateData)
        throw new Error(
          "proof-of-work: legitimateBits 'calibrate' needs the provider's " +
            'training data (ctx.loadPrivateData); pass a number instead',
        );
      const measured = await calibrationEntropy(
        victim,
        lsh,
        await ctx.loadPrivateData(),
        options.calibrationQueries,
        deriveSeed(ctx.seed, 'proof-of-work/calibration'),
      );
      legitimateBits = measured + options.marginBits;
      ctx.log(
        `proof-of-work: legitimate profile ${measured.toFixed(3)} bits ` +
          `(training images) + margin ${options.marginBits} = ${legitimateBits.toFixed(3)} ` +
          `bits`,
      );
    } else {
      legitimateBits = options.legitimateBits;
    }
    const difficulty = (entropy: number) => difficultyBits(entropy, { ...options, legitimateBits });
    // Hash rate of this machine, from every puzzle solved so far (used to price estimated puzzles).
    let solvedHashes = 0;
    let solvedSeconds = 0;
    const hashRate = () => {
      if (solvedHashes < 4096) {
        // Not enough real work yet to time: calibrate on a throwaway 12-bit puzzle.
        const t0 = performance.now();
        solvedHashes += solvePuzzle(`calibration:${ctx.seed}:${solvedHashes}`, 12).hashes;
        solvedSeconds += (performance.now() - t0) / 1000;
      }
      return solvedHashes / solvedSeconds;
    };
    return {
      async answer(request) {
        const { account, clean } = request;
        const reps = await requestRepresentations(victim, request);
        let state = accounts.get(account);
        if (!state) accounts.set(account, (state = { buckets: new BucketCounts(), tally: emptyTally() }));
        const batch = emptyTally();
        for (let r = 0; r < reps.count; r++) {
          state.buckets.add(lsh.bucket(reps.data, r * reps.dim));
          const bits = difficulty(state.buckets.entropyBits());
          batch.puzzles++;
          batch.maxBits = Math.max(batch.maxBits, bits);
          if (bits <= options.solveCapBits) {
            // The challenge is unique per account and query, so no solution can be reused.
            const t0 = performance.now();
            const { hashes } = solvePuzzle(`${ctx.seed}:${account}:${state.tally.puzzles + batch.puzzles}`, bits);
            const seconds = (performance.now() - t0) / 1000;
            solvedHashes += hashes;
            solvedSeconds += seconds;
            batch.hashes += hashes;
            batch.seconds += seconds;
          } else {
            const hashes = 2 ** bits;
            const seconds = hashes / hashRate();
            batch.hashes += hashes;
            batch.seconds += seconds;
            batch.estimatedHashes += hashes;
            batch.estimatedSeconds += seconds;
          }
        }
        const t = state.tally;
        t.hashes += batch.hashes;
        t.seconds += batch.seconds;
        t.estimatedHashes += batch.estimatedHashes;
        t.estimatedSeconds += batch.estimatedSeconds;
        t.puzzles += batch.puzzles;
        t.maxBits = Math.max(t.maxBits, batch.maxBits);
        // `cost` carries totals (all numbers); estimatedHashes/estimatedSeconds say how much of them was not solved.
        const cost: { hashes: number; seconds: number } & WorkTally = { ...batch };
        const estimatedNote =
          batch.estimatedHashes > 0
            ? `; ${batch.estimatedHashes} hashes estimated (difficulty above ` +
              `solveCapBits ${options.solveCapBits}), not solved`
            : '';
        return {
          answer: { data: clean.data.slice(), count: clean.count, dim: clean.dim },
          cost,
          note:
            `entropy ${state.buckets.entropyBits().toFixed(3)} bits, difficulty up ` +
            `to ${batch.maxBits} bits${estimatedNote}`,
        };
      },
      /** The legitimate profile this guard charges against (calibrated or set), for the record and calibrate.ts. */
      figures(): Record<string, number> {
        return { legitimateProfileBits: legitimateBits };
      },
      report(): AccountReport[] {
        return [...accounts].map(([account, { buckets, tally }]) => {
          const entropy = buckets.entropyBits();
          const cost: { hashes: number; seconds: number } & WorkTally = { ...tally };
          // Flagged: the account's behaviour earned it at least one bit above the legitimate difficulty.
          return { account, flagged: difficulty(entropy) > options.baseBits, score: entropy - legitimateBits, cost };
        });
      },
    };
  },
});

/** Bucket entropy of `count` seeded distinct images of the provider's data: the legitimate profile. */
async function calibrationEntropy(
  victim: VictimDeployment,
  lsh: RandomHyperplaneLsh,
  data: ImageSet,
  count: number,
  seed: number,
): Promise<number> {
  const n = Math.min(count, data.count);
  const order = createRng(seed).shuffle(Array.from({ length: data.count }, (_, i) => i));
  const size = data.height * data.width * data.channels;
  const buckets = new BucketCounts();
  for (let start = 0; start < n; start += 256) {
    const rows = order.slice(start, Math.min(n, start + 256));
    const images = new Float32Array(rows.length * size);
    rows.forEach((row, k) => images.set(data.data.subarray(row * size, (row + 1) * size), k * size));
    const reps = await victim.encode({
      data: images,
      count: rows.length,
      height: data.height,
      width: data.width,
      channels: data.channels,
    });
    for (let r = 0; r < reps.count; r++) buckets.add(lsh.bucket(reps.data, r * reps.dim));
  }
  return buckets.entropyBits();
}
