// Plugin options: defaults applied, unknown keys and bad values rejected with the plugin, the JSON pointer and the
// allowed keys named, results deep-frozen, callers' objects untouched, validators compiled once per schema.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  PluginOptionsError,
  PluginSchemaError,
  checkOptionDefaults,
  compileOptionsSchema,
  describeOptions,
  resolveOptions,
} from '../benchmark/plugin/options.ts';

const attack = {
  meta: {
    id: 'demo-attack',
    options: {
      type: 'object',
      properties: {
        epochs: { type: 'integer', minimum: 1, default: 3, description: 'training epochs' },
        loss: { enum: ['mse', 'infonce'], default: 'mse' },
        head: {
          type: 'object',
          properties: { dim: { type: 'integer', minimum: 1, default: 8 } },
          additionalProperties: false,
          default: {},
        },
        'a/b': { type: 'number' },
      },
      required: ['epochs'],
    },
  },
};

function errorOf(fn: () => unknown): PluginOptionsError {
  try {
    fn();
  } catch (error) {
    if (error instanceof PluginOptionsError) return error;
    throw error;
  }
  throw new Error('expected a PluginOptionsError');
}

describe('resolveOptions', () => {
  it('fills defaults, including nested ones', () => {
    expect(resolveOptions('attack', attack, {})).toEqual({ epochs: 3, loss: 'mse', head: { dim: 8 } });
    expect(resolveOptions('attack', attack, undefined)).toEqual({ epochs: 3, loss: 'mse', head: { dim: 8 } });
    expect(resolveOptions('attack', attack, { head: { dim: 2 } })).toEqual({
      epochs: 3,
      loss: 'mse',
      head: { dim: 2 },
    });
  });

  it('returns a deep-frozen copy and leaves the caller object as it was', () => {
    const raw = { epochs: 5, head: {} };
    const options = resolveOptions<{ epochs: number; head: { dim: number } }>('attack', attack, raw);
    expect(raw).toEqual({ epochs: 5, head: {} });
    expect(Object.isFrozen(options)).toBe(true);
    expect(Object.isFrozen(options.head)).toBe(true);
    expect(() => {
      (options as { epochs: number }).epochs = 9;
    }).toThrow(TypeError);
    expect(() => {
      (options.head as { dim: number }).dim = 9;
    }).toThrow(TypeError);
  });

  it('names the plugin, the pointer and the allowed keys for an unknown key (top level closed by default)', () => {
    const error = errorOf(() => resolveOptions('attack', attack, { epoch: 2 }));
    expect(error.plugin).toBe('demo-attack');
    expect(error.kind).toBe('attack');
    expect(error.issues).toEqual([
      {
        path: '/epoch',
        keyword: 'additionalProperties',
        message: 'unknown option',
        allowed: ['epochs', 'loss', 'head', 'a/b'],
      },
    ]);
    expect(error.message).toBe(
      "attack 'demo-attack': invalid options:\n  - /epoch: unknown option; allowed: epochs, loss, head, a/b",
    );
  });

  it('reports every problem at once with nested pointers and found values', () => {
    const error = errorOf(() => resolveOptions('attack', attack, { epochs: 0, loss: 'l1', head: { dim: 2, size: 1 } }));
    const byPath = Object.fromEntries(error.issues.map((issue) => [issue.path, issue]));
    expect(byPath['/epochs']).toMatchObject({ message: 'must be >= 1', found: 0 });
    expect(byPath['/loss']).toMatchObject({ message: 'must be one of "mse", "infonce"', found: 'l1' });
    expect(byPath['/head/size']).toMatchObject({ message: 'unknown option', allowed: ['dim'] });
    expect(error.message).toContain('/epochs: must be >= 1, found 0');
  });

  it('escapes keys in JSON pointers', () => {
    const error = errorOf(() => resolveOptions('attack', attack, { 'a/b': 'x' }));
    expect(error.issues[0]!.path).toBe('/a~1b');
  });

  it('rejects non-objects and non-JSON values', () => {
    expect(errorOf(() => resolveOptions('attack', attack, [1])).issues[0]).toMatchObject({
      path: '',
      message: 'options must be a plain JSON object',
    });
    expect(errorOf(() => resolveOptions('attack', attack, 'x')).issues[0]!.found).toBe('string');
    expect(errorOf(() => resolveOptions('attack', attack, { epochs: 2, loss: () => 1 })).message).toContain(
      'plain JSON data',
    );
  });

  it('a plugin without a schema accepts only {} or undefined', () => {
    const bare = { meta: { id: 'bare' } };
    expect(resolveOptions('defense', bare, undefined)).toEqual({});
    expect(resolveOptions('defense', bare, {})).toEqual({});
    const error = errorOf(() => resolveOptions('defense', bare, { sigma: 1 }));
    expect(error.message).toBe(
      "defense 'bare': invalid options:\n  - /sigma: unknown option (this " +
        'plugin has no options schema, so it takes no options); no keys are ' +
        'allowed here',
    );
  });

  it('compiles each schema once and caches the validator', () => {
    expect(compileOptionsSchema('attack', attack)).toBe(
      compileOptionsSchema('attack', { meta: { id: 'other', options: attack.meta.options } }),
    );
    expect(compileOptionsSchema('attack', { meta: { id: 'bare' } })).toBeNull();
  });

  it('rejects schemas that ajv strict mode refuses, naming the plugin', () => {
    const typo = {
      meta: { id: 'typo', options: { type: 'object', properties: { x: { type: 'number', defualt: 1 } } } },
    };
    expect(() => resolveOptions('attack', typo, {})).toThrow(PluginSchemaError);
    expect(() => resolveOptions('attack', typo, {})).toThrow(/attack 'typo'.*unknown keyword: "defualt"/);
    const notObject = { meta: { id: 'arr', options: { type: 'array' } } };
    expect(() => resolveOptions('attack', notObject, {})).toThrow(/top level must be \{ "type": "object"/);
  });

  it('property: any valid assignment round-trips, any out-of-range epochs is refused with its pointer', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.constantFrom('mse', 'infonce'),
        fc.integer({ min: 1, max: 64 }),
        (epochs, loss, dim) => {
          const raw = { epochs, loss, head: { dim } };
          expect(resolveOptions('attack', attack, raw)).toEqual(raw);
        },
      ),
    );
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 0 }), (epochs) => {
        expect(errorOf(() => resolveOptions('attack', attack, { epochs })).issues.map((i) => i.path)).toEqual([
          '/epochs',
        ]);
      }),
    );
  });
});

describe('checkOptionDefaults', () => {
  it('finds defaults that violate their own schema, at any depth', () => {
    const bad = {
      meta: {
        id: 'bad-defaults',
        options: {
          type: 'object',
          properties: {
            ok: { type: 'integer', default: 2 },
            lr: { type: 'number', exclusiveMinimum: 0, default: 0 },
            head: { type: 'object', properties: { dim: { type: 'integer', default: 'eight' } } },
          },
        },
      },
    };
    const issues = checkOptionDefaults('attack', bad);
    expect(issues.map((i) => i.path)).toEqual(['/lr', '/head/dim']);
    expect(issues[0]!.found).toBe(0);
    expect(checkOptionDefaults('attack', attack)).toEqual([]);
  });
});

describe('describeOptions', () => {
  it('lists each top-level option with type, default and whether it is required', () => {
    expect(describeOptions(attack)).toEqual([
      { name: 'epochs', type: 'integer', default: 3, required: true, description: 'training epochs' },
      { name: 'loss', type: '"mse"|"infonce"', default: 'mse', required: false },
      { name: 'head', type: 'object', default: {}, required: false },
      { name: 'a/b', type: 'number', required: false },
    ]);
  });
});
