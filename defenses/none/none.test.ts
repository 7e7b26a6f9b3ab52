// The baseline passes the victim's clean answer through unchanged (and as a copy).
import { describe, expect, it } from 'vitest';
import none from './index.ts';
import { imageBatch, openGuard, requestFor, rowsOf, tinyDeployment } from '../../test/helpers/tiny-deployment.ts';
import { testDefense } from '../../benchmark/testkit/index.ts';

describe('none', () => {
  it('returns exactly the clean representations, flags nothing, charges nothing', async () => {
    const victim = tinyDeployment();
    const guard = await openGuard(none, victim);
    const request = await requestFor(
      victim,
      'a',
      imageBatch([
        [0, 0.5, 1, 0.25],
        [1, 1, 0, 0],
      ]),
    );
    const response = await guard.answer(request);
    expect(rowsOf(response.answer)).toEqual(rowsOf(request.clean));
    expect(response.answer.data).not.toBe(request.clean.data);
    expect(response.flagged).toBeUndefined();
    expect(response.cost).toBeUndefined();
  });

  it('takes no options', async () => {
    await expect(openGuard(none, tinyDeployment(), { sigma: 1 })).rejects.toThrow(/takes no options/);
  });
});

// The contributor kit's contract checks (CONTRIBUTING.md): options schema, answers shaped like the batch, no mutation
// of the request, determinism under a seed, report shape.
testDefense(none);
