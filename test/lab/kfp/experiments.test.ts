import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { swaggerErrors } from '../../support/swagger.js';
import { body, call, fixture, startLab, upload, type JsonBody, type LabServer } from './helpers.js';

let lab: LabServer;
beforeAll(async () => {
  lab = await startLab();
});
afterAll(async () => {
  await lab.dispose();
});

describe('lab KFP server: experiments', () => {
  it('creates an experiment and reads it back in the swagger shape', async () => {
    const created = await call(lab, 'POST', '/apis/v2beta1/experiments', {
      body: { display_name: 'exp-a', description: 'first' },
    });
    expect(created.status).toBe(200);
    expect(swaggerErrors('v2beta1', 'v2beta1Experiment', created.json)).toEqual([]);
    const got = body(await call(lab, 'GET', `/apis/v2beta1/experiments/${String(body(created)['experiment_id'])}`));
    expect(got).toMatchObject({
      display_name: 'exp-a',
      description: 'first',
      storage_state: 'AVAILABLE',
      last_run_created_at: '1970-01-01T00:00:00Z',
    });
  });

  it('answers a second experiment with the same name with 409', async () => {
    await call(lab, 'POST', '/apis/v2beta1/experiments', { body: { display_name: 'exp-dup' } });
    const again = await call(lab, 'POST', '/apis/v2beta1/experiments', { body: { display_name: 'exp-dup' } });
    expect(again.status).toBe(409);
    expect(body(again)['code']).toBe(6);
  });

  it('lists experiments filtered by display name', async () => {
    await call(lab, 'POST', '/apis/v2beta1/experiments', { body: { display_name: 'exp-filter' } });
    const filter = JSON.stringify({
      predicates: [{ key: 'display_name', operation: 'EQUALS', string_value: 'exp-filter' }],
    });
    const r = await call(lab, 'GET', '/apis/v2beta1/experiments', { query: { filter } });
    expect(swaggerErrors('v2beta1', 'v2beta1ListExperimentsResponse', r.json)).toEqual([]);
    expect((body(r)['experiments'] as JsonBody[]).map((e) => e['display_name'])).toEqual(['exp-filter']);
  });

  it('filters on created_at with a timestamp value', async () => {
    const future = JSON.stringify({
      predicates: [{ key: 'created_at', operation: 'GREATER_THAN', timestamp_value: '2999-01-01T00:00:00Z' }],
    });
    expect(body(await call(lab, 'GET', '/apis/v2beta1/experiments', { query: { filter: future } }))).not.toHaveProperty(
      'experiments',
    );
    const past = JSON.stringify({
      predicates: [{ key: 'created_at', operation: 'GREATER_THAN', timestamp_value: '2000-01-01T00:00:00Z' }],
    });
    expect(
      body(await call(lab, 'GET', '/apis/v2beta1/experiments', { query: { filter: past } }))['total_size'],
    ).toBeGreaterThan(0);
  });

  it('rejects IN with a scalar value, as KFP’s filter checks do', async () => {
    const filter = JSON.stringify({ predicates: [{ key: 'display_name', operation: 'IN', string_value: 'x' }] });
    expect((await call(lab, 'GET', '/apis/v2beta1/experiments', { query: { filter } })).status).toBe(400);
  });

  it('rejects a negative page size', async () => {
    expect((await call(lab, 'GET', '/apis/v2beta1/experiments', { query: { page_size: -1 } })).status).toBe(400);
  });
});

describe('lab KFP server: pipeline versions from package_url', () => {
  let files: Server;
  let filesUrl: string;
  beforeAll(async () => {
    files = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-yaml' });
      res.end(fixture('hello_world.yaml'));
    });
    await new Promise<void>((r) => files.listen(0, '127.0.0.1', () => r()));
    filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}/hello_world.yaml`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => files.close(() => r()));
  });

  it('creates a version by downloading package_url from a loopback address', async () => {
    const id = String(body(await upload(lab, fixture('hello_world.yaml'), { name: 'from-url' }))['pipeline_id']);
    const r = await call(lab, 'POST', `/apis/v2beta1/pipelines/${id}/versions`, {
      body: { pipeline_id: id, name: 'v-url', package_url: { pipeline_url: filesUrl } },
    });
    expect(r.status).toBe(200);
    expect(swaggerErrors('v2beta1', 'v2beta1PipelineVersion', r.json)).toEqual([]);
    expect(body(r)['package_url']).toEqual({ pipeline_url: filesUrl });
  });

  it('refuses a package_url that is not on this machine', async () => {
    const id = String(body(await upload(lab, fixture('hello_world.yaml'), { name: 'from-far' }))['pipeline_id']);
    const r = await call(lab, 'POST', `/apis/v2beta1/pipelines/${id}/versions`, {
      body: { name: 'v-far', package_url: { pipeline_url: 'https://example.com/p.yaml' } },
    });
    expect(r.status).toBe(400);
  });
});
