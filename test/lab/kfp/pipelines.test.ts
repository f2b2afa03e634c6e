import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { compiledFixtures } from '../../support/fixtures.js';
import { swaggerErrors } from '../../support/swagger.js';
import { body, call, fixture, startLab, upload, type JsonBody, type LabServer } from './helpers.js';

let lab: LabServer;
beforeAll(async () => {
  lab = await startLab();
});
afterAll(async () => {
  await lab.dispose();
});

describe('lab KFP server: pipelines', () => {
  it('answers an upload with a Pipeline that matches the upload swagger', async () => {
    const r = await upload(lab, fixture('hello_world.yaml'), { name: 'hello', description: 'says hello' });
    expect(r.status).toBe(200);
    expect(swaggerErrors('v2beta1-pipeline-upload', 'v2beta1Pipeline', r.json)).toEqual([]);
    expect(body(r)).toMatchObject({ name: 'hello', display_name: 'hello', description: 'says hello' });
    expect(body(r)).not.toHaveProperty('namespace');
  });

  it('returns the uploaded pipeline spec bare when the package has one document', async () => {
    const up = await upload(lab, fixture('two_step_pipeline.yaml'), { name: 'two-step' });
    const id = String(body(up)['pipeline_id']);
    const versions = await call(lab, 'GET', `/apis/v2beta1/pipelines/${id}/versions`);
    expect(swaggerErrors('v2beta1', 'v2beta1ListPipelineVersionsResponse', versions.json)).toEqual([]);
    const v = (body(versions)['pipeline_versions'] as JsonBody[])[0] as JsonBody;
    expect((v['pipeline_spec'] as JsonBody)['pipelineInfo']).toEqual({ name: 'simple-two-step-pipeline' });
    expect(v['pipeline_spec']).not.toHaveProperty('platform_spec');
  });

  it('wraps pipeline and platform spec when the package has a platform document', async () => {
    const up = await upload(lab, fixture('pvc_mount.yaml'), { name: 'pvc' });
    const id = String(body(up)['pipeline_id']);
    const versions = body(await call(lab, 'GET', `/apis/v2beta1/pipelines/${id}/versions`));
    const spec = ((versions['pipeline_versions'] as JsonBody[])[0] as JsonBody)['pipeline_spec'] as JsonBody;
    expect(Object.keys(spec).sort()).toEqual(['pipeline_spec', 'platform_spec']);
    expect((spec['platform_spec'] as JsonBody)['platforms']).toHaveProperty('kubernetes');
  });

  it('answers a duplicate pipeline name with 409 in the upload error shape', async () => {
    await upload(lab, fixture('hello_world.yaml'), { name: 'dup' });
    const r = await upload(lab, fixture('hello_world.yaml'), { name: 'dup' });
    expect(r.status).toBe(409);
    expect(body(r)).toHaveProperty('error_message');
  });

  it('rejects a package whose schema version is not 2.1.0', async () => {
    const r = await upload(lab, fixture('hello_world.yaml').replace('schemaVersion: 2.1.0', 'schemaVersion: 2.0.0'), {
      name: 'old',
    });
    expect(r.status).toBe(400);
    expect(String(body(r)['error_message'])).toContain('schema version 2.1.0');
  });

  it('adds a version with upload_version and lists it with the first', async () => {
    const up = await upload(lab, fixture('hello_world.yaml'), { name: 'versioned' });
    const id = String(body(up)['pipeline_id']);
    const v2 = await upload(
      lab,
      fixture('hello_world.yaml'),
      { pipelineid: id, name: 'v2' },
      { path: '/apis/v2beta1/pipelines/upload_version' },
    );
    expect(v2.status).toBe(200);
    expect(swaggerErrors('v2beta1-pipeline-upload', 'v2beta1PipelineVersion', v2.json)).toEqual([]);
    const list = body(
      await call(lab, 'GET', `/apis/v2beta1/pipelines/${id}/versions`, { query: { sort_by: 'created_at desc' } }),
    );
    expect((list['pipeline_versions'] as JsonBody[]).map((v) => v['name']).sort()).toEqual(['v2', 'versioned']);
    expect(list['total_size']).toBe(2);
  });

  it('finds a pipeline by name and answers 404 with a google.rpc.Status for an unknown one', async () => {
    await upload(lab, fixture('hello_world.yaml'), { name: 'by-name' });
    const found = await call(lab, 'GET', '/apis/v2beta1/pipelines/names/by-name');
    expect(found.status).toBe(200);
    expect(swaggerErrors('v2beta1', 'v2beta1Pipeline', found.json)).toEqual([]);
    const missing = await call(lab, 'GET', '/apis/v2beta1/pipelines/names/no-such-pipeline');
    expect(missing.status).toBe(404);
    expect(swaggerErrors('v2beta1', 'googleRpcStatus', missing.json)).toEqual([]);
    expect(body(missing)['code']).toBe(5);
  });

  it('rejects a create request with an unknown field with 400', async () => {
    const r = await call(lab, 'POST', '/apis/v2beta1/pipelines', { body: { name: 'x', colour: 'blue' } });
    expect(r.status).toBe(400);
    expect(swaggerErrors('v2beta1', 'googleRpcStatus', r.json)).toEqual([]);
    expect(String(body(r)['message'])).toContain('unknown field "colour"');
  });

  it('accepts the JSON name of a field as protojson does', async () => {
    const r = await call(lab, 'POST', '/apis/v2beta1/pipelines', {
      body: { name: 'camel', displayName: 'Camel Case' },
    });
    expect(r.status).toBe(200);
    expect(body(r)['display_name']).toBe('Camel Case');
  });

  it('filters pipelines with an EQUALS predicate on name', async () => {
    await upload(lab, fixture('hello_world.yaml'), { name: 'filter-me' });
    const filter = JSON.stringify({ predicates: [{ key: 'name', operation: 'EQUALS', string_value: 'filter-me' }] });
    const r = await call(lab, 'GET', '/apis/v2beta1/pipelines', { query: { filter } });
    expect(swaggerErrors('v2beta1', 'v2beta1ListPipelinesResponse', r.json)).toEqual([]);
    expect((body(r)['pipelines'] as JsonBody[]).map((p) => p['name'])).toEqual(['filter-me']);
  });

  it('rejects a filter on a field pipelines cannot be filtered by', async () => {
    const filter = JSON.stringify({ predicates: [{ key: 'colour', operation: 'EQUALS', string_value: 'x' }] });
    const r = await call(lab, 'GET', '/apis/v2beta1/pipelines', { query: { filter } });
    expect(r.status).toBe(400);
    expect(String(body(r)['message'])).toContain('unrecognized field "colour"');
  });

  it.each(compiledFixtures())('accepts the real compiled package %s', async (name, path) => {
    const r = await upload(lab, readFileSync(path, 'utf8'), {
      name: `fixture-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`,
    });
    expect(r.status, r.text).toBe(200);
  });
});
