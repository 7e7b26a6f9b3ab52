// The stolen encoder can take the new victims' design (mid-cnn, 2×2 pool: 1,024-d), and the options schema every
// attack shares accepts it and refuses a pooling grid below 1.
import { describe, expect, it } from 'vitest';
import { initEngine } from '../../benchmark/index.ts';
import { resolveOptions, tinyImages } from '../../benchmark/testkit/index.ts';
import { studentOptionProperties, type StudentOptions } from './options.ts';
import { createStudent, poolFor } from './student.ts';

/** A stand-in plugin whose options are exactly the shared student options, as every attack here spreads them. */
const withStudentOptions = {
  meta: { id: 'student-options', options: { type: 'object', properties: studentOptionProperties(10) } },
};

describe('student architecture options', () => {
  it('mid-cnn with pool 2 gives 1,024-d representations; without pool, the global-pool width', async () => {
    await initEngine({ backend: 'cpu' });
    const images = tinyImages(2, 1);
    const options = resolveOptions('attack', withStudentOptions, { arch: 'mid-cnn', pool: 2 }) as StudentOptions;
    const pooled = createStudent(images, options, 1);
    expect(pooled.outputs[0]!.shape).toEqual([null, 1024]);
    const global = createStudent(images, { ...options, pool: undefined }, 1);
    expect(global.outputs[0]!.shape).toEqual([null, 256]);
    pooled.dispose();
    global.dispose();
  });

  it('without pool, a 1,024-d answer gets a 2×2 grid of 256 filters; a 128-d one global pooling; 1,002 is not split', async () => {
    await initEngine({ backend: 'cpu' });
    const images = tinyImages(2, 1);
    const options = resolveOptions('attack', withStudentOptions, {}) as StudentOptions;
    const long = createStudent(images, options, 1, 1024);
    const short = createStudent(images, options, 1, 128);
    // small-cnn's last conv is the layer before the pooling: its filter count tells which grid was chosen.
    const lastConvFilters = (model: typeof long) =>
      model.layers
        .filter((layer) => layer.getClassName() === 'Conv2D')
        .at(-1)!
        .getConfig().filters;
    expect([long.outputs[0]!.shape, lastConvFilters(long)]).toEqual([[null, 1024], 256]);
    expect([short.outputs[0]!.shape, lastConvFilters(short)]).toEqual([[null, 128], 128]);
    expect(poolFor(options, 1002)).toBe(1);
    expect(poolFor({ ...options, arch: 'resnet18' }, 1024)).toBe(1);
    expect(poolFor({ ...options, pool: 3 }, 1024)).toBe(3);
    long.dispose();
    short.dispose();
  });

  it('refuses a pooling grid below 1, naming the option', () => {
    expect(() => resolveOptions('attack', withStudentOptions, { pool: 0 })).toThrow(/\/pool/);
  });
});
