// Ownership tests with their power shown: on hand-made linear encoders and a real one-sample t-test, the victim itself
// is claimed, encoders with independent random weights are not, a copy of the victim posing as "independent" counts
// as a false claim, and fewer than three independent encoders never make a verdict valid.
import { describe, expect, it } from 'vitest';
import {
  MIN_INDEPENDENT_ENCODERS,
  ownershipPower,
  verifyWithPower,
  type SuspectFeatures,
} from '../benchmark/scoring/ownership-power.ts';
import { oneSampleTTest } from '../benchmark/scoring/stats.ts';
import { createRng } from '../benchmark/util/random.ts';
import type { ImageBatch, OwnershipResult, Vectors } from '../benchmark/plugin/types.ts';

const IN = 16;
const DIM = 8;

function linearEncoder(seed: number, noise = 0, base?: Float64Array): SuspectFeatures & { weights: Float64Array } {
  const rng = createRng(seed);
  const weights = base
    ? Float64Array.from(base, (w) => w + noise * rng.normal())
    : Float64Array.from({ length: IN * DIM }, () => rng.normal());
  const encode = async (images: ImageBatch): Promise<Vectors> => {
    const data = new Float32Array(images.count * DIM);
    for (let n = 0; n < images.count; n++) {
      for (let d = 0; d < DIM; d++) {
        let sum = 0;
        for (let p = 0; p < IN; p++) sum += (images.data[n * IN + p]! - 0.5) * weights[p * DIM + d]!;
        data[n * DIM + d] = sum;
      }
    }
    return { data, count: images.count, dim: DIM };
  };
  return Object.assign(encode, { weights });
}

const rng = createRng(5);
const probe: ImageBatch = {
  data: Float32Array.from({ length: 200 * IN }, () => rng.next()),
  count: 200,
  height: 4,
  width: 4,
  channels: 1,
};
const victim = linearEncoder(1);

/** A real test: per-image cosine between suspect and victim representations, one-sided t-test against 0. */
async function verify(suspect: SuspectFeatures): Promise<OwnershipResult> {
  const [s, v] = [await suspect(probe), await victim(probe)];
  const cosines = Array.from({ length: probe.count }, (_, n) => {
    let dot = 0,
      ss = 0,
      vv = 0;
    for (let d = 0; d < DIM; d++) {
      const a = s.data[n * DIM + d]!,
        b = v.data[n * DIM + d]!;
      dot += a * b;
      ss += a * a;
      vv += b * b;
    }
    return dot / Math.sqrt(ss * vv);
  });
  const t = oneSampleTTest(cosines, 0.5, 'greater');
  return { stolen: t.pValue < 0.05, statistic: t.statistic, pValue: t.pValue };
}

const independent = (id: string, encoder: SuspectFeatures, disposed: string[]) => ({
  id,
  open: async () => ({ features: encoder, dispose: () => disposed.push(id) }),
});

describe('ownership power', () => {
  it('claims the victim and its noisy copy, not three random encoders: the verdict is valid', async () => {
    const disposed: string[] = [];
    const result = await verifyWithPower(verify, {
      stolen: linearEncoder(9, 0.3, victim.weights),
      victim,
      independents: [2, 3, 4].map((seed) => independent(`random-${seed}`, linearEncoder(seed), disposed)),
    });
    expect(result.stolen.stolen).toBe(true);
    expect(result.victimItself!.stolen).toBe(true);
    expect(result.independents!.map((entry) => [entry.encoder, entry.result.stolen])).toEqual([
      ['random-2', false],
      ['random-3', false],
      ['random-4', false],
    ]);
    expect(result.independent).toEqual(result.independents![0]!.result);
    expect(result.power).toEqual({
      victimClaimed: true,
      independentEncoders: 3,
      falseClaims: 0,
      falseClaimRate: 0,
      valid: true,
    });
    expect(disposed).toEqual(['random-2', 'random-3', 'random-4']);
  });

  it(
    'a copy of the victim among the "independent" encoders is a false ' + 'claim, and the verdict is not valid',
    async () => {
      const result = await verifyWithPower(verify, {
        stolen: victim,
        victim,
        independents: [
          independent('random-2', linearEncoder(2), []),
          independent('copy', linearEncoder(8, 0.1, victim.weights), []),
          independent('random-4', linearEncoder(4), []),
        ],
      });
      expect(result.power).toMatchObject({ falseClaims: 1, falseClaimRate: 1 / 3, valid: false });
    },
  );

  it('a test that cannot claim the victim itself has no power, whatever it says of the copy', () => {
    const no: OwnershipResult = { stolen: false, statistic: 0.03, pValue: 0.49 };
    const power = ownershipPower(no, [no, no, no]);
    expect(power).toEqual({
      victimClaimed: false,
      independentEncoders: 3,
      falseClaims: 0,
      falseClaimRate: 0,
      valid: false,
    });
  });

  it(
    `fewer than ${MIN_INDEPENDENT_ENCODERS} independent encoders never make ` +
      `a valid verdict; none gives a null rate`,
    () => {
      const yes: OwnershipResult = { stolen: true, statistic: 9, pValue: 1e-9 };
      const no: OwnershipResult = { stolen: false, statistic: 0, pValue: 0.5 };
      expect(ownershipPower(yes, [no, no]).valid).toBe(false);
      expect(ownershipPower(yes, [])).toMatchObject({ falseClaimRate: null, valid: false });
    },
  );
});
