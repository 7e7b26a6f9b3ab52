// schemas/result.schema.json is kept in step with the CellRecord type in benchmark/runner/record.ts: the TypeScript
// compiler reads the type, and every property (name, optional or required, primitive kind, string-literal unions,
// nested objects, arrays, Record<string, X>) must match the schema, both ways. Adding a field to record.ts without
// adding it to the schema (or the reverse) fails here. Also: sample records validate, broken ones do not.
import { describe, expect, it } from 'vitest';
import ts from 'typescript';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { recordProblems, RESULT_SCHEMA_PATH } from '../benchmark/runner/store.ts';
import type { CellRecord } from '../benchmark/runner/record.ts';

type Schema = Record<string, unknown> & {
  properties?: Record<string, Schema>;
  required?: string[];
  $ref?: string;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  enum?: unknown[];
  const?: unknown;
  type?: string | string[];
};

const root = JSON.parse(readFileSync(RESULT_SCHEMA_PATH, 'utf8')) as Schema & { definitions: Record<string, Schema> };
const deref = (schema: Schema): Schema =>
  schema.$ref ? deref(root.definitions[schema.$ref.replace('#/definitions/', '')]!) : schema;

function compare(checker: ts.TypeChecker, type: ts.Type, schemaIn: Schema, path: string, problems: string[]): void {
  const schema = deref(schemaIn);
  const parts = type.isUnion()
    ? type.types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)))
    : [type];
  if (parts.length > 1 && parts.every((t) => t.isStringLiteral())) {
    const literals = parts.map((t) => (t as ts.StringLiteralType).value).sort();
    const allowed = (schema.enum as string[] | undefined)?.slice().sort();
    if (JSON.stringify(literals) !== JSON.stringify(allowed))
      problems.push(`${path}: type allows ${literals.join('|')}, schema enum is ${JSON.stringify(schema.enum)}`);
    return;
  }
  // `boolean` is the union true | false; treat it as one primitive.
  const merged = parts.some((t) => t.flags & ts.TypeFlags.BooleanLiteral)
    ? [...parts.filter((t) => !(t.flags & ts.TypeFlags.BooleanLiteral)), checker.getBooleanType()]
    : parts;
  parts.splice(0, parts.length, ...merged);
  const primitive = (t: ts.Type) =>
    t.flags & ts.TypeFlags.String
      ? 'string'
      : t.flags & ts.TypeFlags.Number
        ? 'number'
        : t.flags & ts.TypeFlags.Boolean
          ? 'boolean'
          : undefined;
  if (parts.length > 1 && parts.every((t) => primitive(t))) {
    const names = parts.map((t) => primitive(t)!).sort();
    const types = (Array.isArray(schema.type) ? schema.type : [schema.type]).slice().sort();
    if (JSON.stringify(names) !== JSON.stringify(types))
      problems.push(`${path}: type is ${names.join('|')}, schema type ${JSON.stringify(schema.type)}`);
    return;
  }
  if (parts.length !== 1) {
    problems.push(`${path}: union type ${checker.typeToString(type)} is not handled by this check`);
    return;
  }
  const t = parts[0]!;
  const kind = (name: string) => (Array.isArray(schema.type) ? schema.type.includes(name) : schema.type === name);
  if (t.flags & ts.TypeFlags.NumberLiteral) {
    if (schema.const !== (t as ts.NumberLiteralType).value)
      problems.push(`${path}: type is ${(t as ts.NumberLiteralType).value}, schema const is ${String(schema.const)}`);
  } else if (t.flags & ts.TypeFlags.String) {
    if (!kind('string')) problems.push(`${path}: type string, schema ${JSON.stringify(schema.type)}`);
  } else if (t.flags & ts.TypeFlags.Number) {
    if (!kind('number') && !kind('integer') && !schema.$ref)
      problems.push(`${path}: type number, schema ${JSON.stringify(schema.type)}`);
  } else if (t.flags & (ts.TypeFlags.Boolean | ts.TypeFlags.BooleanLiteral)) {
    if (!kind('boolean')) problems.push(`${path}: type boolean, schema ${JSON.stringify(schema.type)}`);
  } else if (checker.isArrayType(t)) {
    if (!kind('array') || !schema.items) problems.push(`${path}: type is an array, schema is not`);
    else compare(checker, checker.getTypeArguments(t as ts.TypeReference)[0]!, schema.items, `${path}[]`, problems);
  } else if (t.flags & ts.TypeFlags.Object) {
    const index = checker.getIndexInfoOfType(t, ts.IndexKind.String);
    const properties = checker.getPropertiesOfType(t);
    if (index && properties.length === 0) {
      if (typeof schema.additionalProperties !== 'object') {
        if (checker.typeToString(index.type) !== 'unknown')
          problems.push(
            `${path}: Record<string, ${checker.typeToString(index.type)}> needs additionalProperties in the schema`,
          );
      } else compare(checker, index.type, schema.additionalProperties, `${path}{}`, problems);
      return;
    }
    if (!kind('object')) problems.push(`${path}: type is an object, schema ${JSON.stringify(schema.type)}`);
    const schemaProps = schema.properties ?? {};
    const required = new Set(schema.required ?? []);
    for (const symbol of properties) {
      const name = symbol.getName();
      const where = `${path}.${name}`;
      if (!schemaProps[name]) {
        problems.push(`${where}: in the type, not in the schema`);
        continue;
      }
      const optional = (symbol.flags & ts.SymbolFlags.Optional) !== 0;
      if (optional === required.has(name))
        problems.push(
          `${where}: ${optional ? 'optional in the type but required' : 'required in the type but optional'} ` +
            `in the schema`,
        );
      compare(checker, checker.getTypeOfSymbol(symbol), schemaProps[name]!, where, problems);
    }
    for (const name of Object.keys(schemaProps)) {
      if (!properties.some((symbol) => symbol.getName() === name))
        problems.push(`${path}.${name}: in the schema, not in the type`);
    }
  } else {
    problems.push(`${path}: type ${checker.typeToString(t)} is not handled by this check`);
  }
}

const sample: CellRecord = {
  schemaVersion: 1,
  key: 'a'.repeat(64),
  cell: {
    victim: 'simclr-fmnist',
    defense: { id: 'gaussian-noise', options: { sigma: 0.1, mean: 0 } },
    attack: { id: 'direct-extraction', options: { loss: 'infonce' } },
    budget: 500,
    pool: 'fmnist/attacker-pool-20k',
    seed: 0,
    downstream: ['fmnist', 'digits'],
    output: 'representation',
  },
  state: 'completed',
  metrics: {
    stolen: { fmnist: 0.81, digits: 0.7 },
    victim: { fmnist: 0.86, digits: 0.75 },
    fidelity: { cka: 0.9, cosine: 0.8 },
    legitimate: { defended: { fmnist: 0.85 }, undefended: { fmnist: 0.86 } },
    detection: {
      attackerFlagged: true,
      attackerScore: 0.9,
      attackerAccounts: 4,
      attackerAccountsFlagged: 1,
      attackerFlaggedQueryRate: 0.6,
      legitimateAccounts: 3,
      legitimateFlagged: 0,
      legitimateFlaggedQueryRate: 0,
    },
    ownership: {
      stolen: { stolen: true, statistic: 5.1, pValue: 0.001, details: { successRate: 0.9 } },
      independent: { stolen: false, statistic: 0.2, pValue: 0.6 },
    },
    cost: { queries: 500, attackSeconds: 12.5, hashes: 1000, powSeconds: 0.5 },
  },
  traffic: {
    accounts: { 'acct-0123456789abcdef': 'attacker', 'acct-fedcba9876543210': 'legitimate' },
    attackerQueries: 500,
    legitimateQueries: 3000,
  },
  provenance: {
    harnessVersion: '0.1.0',
    pluginHashes: { 'victim:simclr-fmnist': 'b'.repeat(64) },
    backend: 'wasm',
    node: 'v20.20.2',
    dataSource: 'shipped',
    startedAt: '2026-01-01T00:00:00.000Z',
    durations: { total: 12.9 },
  },
};

describe('result schema', () => {
  it('describes exactly the CellRecord type of record.ts', () => {
    const file = fileURLToPath(new URL('../benchmark/runner/record.ts', import.meta.url));
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      allowImportingTsExtensions: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      skipLibCheck: true,
    });
    const checker = program.getTypeChecker();
    const source = program.getSourceFile(file)!;
    const declaration = source.statements.find(
      (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'CellRecord',
    )!;
    const problems: string[] = [];
    compare(checker, checker.getTypeAtLocation(declaration.name), root, 'CellRecord', problems);
    expect(problems).toEqual([]);
  });

  it('accepts a full record and the failure shapes, and rejects broken ones with their path', () => {
    expect(recordProblems(sample)).toEqual([]);
    const { metrics: _m, ...rest } = sample;
    expect(recordProblems({ ...rest, state: 'timed-out', error: { message: 'too slow', phase: 'worker' } })).toEqual(
      [],
    );
    // A completed record needs metrics; a failed one an error and no metrics.
    expect(recordProblems({ ...rest })).toContain('/: is required but missing'.replace('/: ', '/metrics: '));
    expect(recordProblems({ ...sample, state: 'failed' }).join()).toMatch(/error/);
    expect(recordProblems({ ...sample, metrics: { ...sample.metrics!, stolen: { fmnist: 81 } } })).toContain(
      '/metrics/stolen/fmnist: must be <= 1, found 81',
    );
    expect(recordProblems({ ...sample, surprise: 1 })).toContain(
      '/surprise: unknown key; allowed: schemaVersion, key, cell, state, error, metrics, traffic, provenance',
    );
    // Account ids are opaque in records: a role-revealing id is refused.
    expect(
      recordProblems({ ...sample, traffic: { ...sample.traffic!, accounts: { attacker: 'attacker' } } }).join(),
    ).toMatch(/traffic\/accounts/);
    // Error text is capped: a record cannot carry a 20 MB message.
    expect(
      recordProblems({ ...rest, state: 'failed', error: { message: 'x'.repeat(4001), phase: 'attack' } }).join(),
    ).toMatch(/\/error\/message/);
    expect(recordProblems({ ...sample, key: 'short' })).toContainEqual(
      expect.stringMatching(/^\/key: must match pattern "\^\[0-9a-f\]\{64\}\$"/),
    );
  });
});
