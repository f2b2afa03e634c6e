import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, test } from 'vitest';
import { loadSpecFile } from '../../src/split-file/load.js';
import { schemaValidator, SPLIT_PIPELINE_SCHEMA } from '../../src/split-file/schema-validate.js';

const schemaOnDisk: unknown = JSON.parse(readFileSync('schemas/split-pipeline.schema.json', 'utf8'));

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every schema that describes a field or an entry a user writes, with its JSON-pointer-ish path. */
function describedSchemas(root: Json): { path: string; schema: Json }[] {
  const out: { path: string; schema: Json }[] = [];
  const visit = (schema: unknown, path: string): void => {
    if (!isObject(schema)) return;
    out.push({ path, schema });
    if (isObject(schema['properties'])) {
      for (const [name, child] of Object.entries(schema['properties'])) visit(child, `${path}/properties/${name}`);
    }
    if (isObject(schema['additionalProperties'])) visit(schema['additionalProperties'], `${path}/additionalProperties`);
    if (isObject(schema['propertyNames'])) visit(schema['propertyNames'], `${path}/propertyNames`);
    if (isObject(schema['items'])) visit(schema['items'], `${path}/items`);
  };
  visit(root, '#');
  for (const [name, def] of Object.entries((root['definitions'] ?? {}) as Json)) visit(def, `#/definitions/${name}`);
  return out;
}

describe('schemas/split-pipeline.schema.json', () => {
  test('compiles with ajv in strict mode', () => {
    expect(() => schemaValidator()).not.toThrow();
    expect(typeof schemaValidator()).toBe('function');
  });

  test('is the schema the validator uses', () => {
    expect(SPLIT_PIPELINE_SCHEMA).toEqual(schemaOnDisk);
  });

  test('has an $id, a title and a description', () => {
    const schema = schemaOnDisk as Json;
    expect(schema['$id']).toMatch(/^https:\/\//);
    expect(schema['title']).toBe('SplitPipeline');
    expect(typeof schema['description']).toBe('string');
  });

  test('describes every field, entry and definition (editors show it on completion)', () => {
    const undescribed = describedSchemas(schemaOnDisk as Json)
      .filter(({ schema }) => typeof schema['description'] !== 'string' && typeof schema['$ref'] !== 'string')
      .map(({ path }) => path);
    expect(undescribed).toEqual([]);
    // A property that only refers to a definition is described there.
    const refsWithoutDescription = describedSchemas(schemaOnDisk as Json).filter(
      ({ schema }) => typeof schema['$ref'] === 'string' && typeof schema['description'] !== 'string',
    );
    const definitions = (schemaOnDisk as Json)['definitions'] as Json;
    for (const { schema } of refsWithoutDescription) {
      const target = definitions[String(schema['$ref']).replace('#/definitions/', '')];
      expect(isObject(target) && typeof target['description'] === 'string', String(schema['$ref'])).toBe(true);
    }
  });

  test('rejects unknown fields in every mapping it defines', () => {
    const open = describedSchemas(schemaOnDisk as Json)
      .filter(({ schema }) => schema['type'] === 'object' && isObject(schema['properties']))
      .filter(({ schema }) => schema['additionalProperties'] !== false)
      .map(({ path }) => path);
    expect(open).toEqual([]);
  });

  test('gives every pattern a plain-words explanation', () => {
    const unexplained = describedSchemas(schemaOnDisk as Json)
      .filter(
        ({ schema }) => typeof schema['pattern'] === 'string' && typeof schema['patternErrorMessage'] !== 'string',
      )
      .map(({ path }) => path);
    expect(unexplained).toEqual([]);
  });

  test('has defaults that are valid values of their own fields', () => {
    const ajv = new Ajv({ strict: false });
    const withDefaults = describedSchemas(schemaOnDisk as Json).filter(({ schema }) => 'default' in schema);
    expect(withDefaults.length).toBeGreaterThan(0);
    for (const { path, schema } of withDefaults) {
      const { default: value, ...rest } = schema;
      expect(ajv.validate({ ...rest, definitions: (schemaOnDisk as Json)['definitions'] }, value), path).toBe(true);
    }
  });
});

describe('the full example (every field set)', () => {
  test('loads with no diagnostics', async () => {
    const loaded = await loadSpecFile('test/split-file/fixtures/full.yaml');
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.spec?.metadata.name).toBe('churn-model');
  });

  test('gets the schema defaults for fields it leaves out', async () => {
    const { spec } = await loadSpecFile('test/split-file/fixtures/full.yaml');
    const serve = spec?.spec.locations.find((l) => l.name === 'serve');
    expect(serve?.objectStore.region).toBe('us-east-1');
    expect(serve?.kfp.insecureSkipTlsVerify).toBe(false);
    expect(spec?.spec.stages[1]?.gate).toBe('auto');
    expect(spec?.spec.stages[2]?.gate).toBe('manual');
    const evalHeader = spec?.spec.locations.find((l) => l.name === 'eval')?.kfp.userIdHeader;
    expect(evalHeader?.name).toBe('kubeflow-userid');
  });

  test('merges a `<<` merge key the way Kubernetes tools do', async () => {
    const { spec } = await loadSpecFile('test/split-file/fixtures/full.yaml');
    const store = spec?.spec.locations.find((l) => l.name === 'eval')?.objectStore;
    expect(store?.endpoint).toBe('https://minio.eval.example.com');
    expect(store?.pipelineRoot).toBe('minio://mlpipeline/v2/artifacts');
  });
});
