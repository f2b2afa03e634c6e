// The lab's ml-pipeline-ui emulation (packages/lab/src/kfp/ui-gateway.ts) against KFP 2.17.0's
// frontend/server/app.ts and handlers/healthz.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUiGateway, type UiGateway } from '../../../packages/lab/src/kfp/ui-gateway.js';
import { body, call, startLab, uploadFixture, upload, fixture, type LabServer } from './helpers.js';

const TOKEN = 'tok-ui-gateway-51c0';
const auth = { authorization: `Bearer ${TOKEN}` };
let api: LabServer;
let ui: UiGateway;
beforeAll(async () => {
  api = await startLab({
    kfpVersion: '2.14.0',
    commitSha: 'abc123',
    multiUser: { tokens: { [TOKEN]: 'alice@example.com' }, namespaces: ['team-a'] },
  });
  ui = await startUiGateway({ apiServer: api.url });
});
afterAll(async () => {
  await ui.close();
  await api.dispose();
});

describe('lab UI gateway (ml-pipeline-ui)', () => {
  it('answers healthz itself, in the UI shape, with and without /pipeline', async () => {
    const expected = {
      buildDate: '',
      frontendCommitHash: '',
      frontendTagName: '',
      apiServerReady: true,
      apiServerCommitHash: 'abc123',
      apiServerTagName: '2.14.0',
      apiServerMultiUser: true,
      multi_user: true,
      pipelineStore: 'database',
    };
    for (const path of ['/apis/v2beta1/healthz', '/pipeline/apis/v2beta1/healthz']) {
      const r = await call(ui, 'GET', path);
      expect(r.status).toBe(200);
      expect(body(r)).toEqual(expected);
      expect(body(r)).not.toHaveProperty('tag_name');
    }
    // The API server's v1beta1 healthz has no pipeline_store, so the UI's has no pipelineStore.
    const v1 = body(await call(ui, 'GET', '/pipeline/apis/v1beta1/healthz'));
    expect(v1).not.toHaveProperty('pipelineStore');
    expect(v1['apiServerTagName']).toBe('2.14.0');
  });

  it('forwards /apis/v2beta1 and /apis/v1beta1 with the caller’s headers, with and without /pipeline', async () => {
    const ids = await uploadFixture(api, 'hello_world.yaml', 'through-ui', { namespace: 'team-a' }, auth);
    for (const prefix of ['', '/pipeline']) {
      const r = await call(ui, 'GET', `${prefix}/apis/v2beta1/pipelines/${ids.pipelineId}`, { headers: auth });
      expect(r.status).toBe(200);
      expect(body(r)['pipeline_id']).toBe(ids.pipelineId);
      // The API server's own refusal comes back unchanged.
      const anonymous = await call(ui, 'GET', `${prefix}/apis/v2beta1/runs`, { query: { namespace: 'team-a' } });
      expect(anonymous.status).toBe(401);
    }
    // A body travels too (multipart upload through the base path).
    const path = '/pipeline/apis/v2beta1/pipelines/upload';
    const up = await upload(
      ui,
      fixture('hello_world.yaml'),
      { name: 'uploaded-through-ui', namespace: 'team-a' },
      { headers: auth, path },
    );
    expect(up.status).toBe(200);
    expect(body(up)['display_name']).toBe('uploaded-through-ui');
  });

  it('does not forward the task API: Express answers 404 with its HTML page', async () => {
    for (const [method, path] of [
      ['GET', '/pipeline/apis/v1alpha1/tasks'],
      ['POST', '/pipeline/apis/v1alpha1/tasks'],
      ['GET', '/apis/v1alpha1/tasks'],
    ] as const) {
      const r = await call(ui, method, path, method === 'POST' ? { body: { pipelineName: 'pipeline/x' } } : {});
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(r.text).toContain(`<pre>Cannot ${method} ${path}</pre>`);
    }
    // The API server itself serves it on its own port.
    expect((await call(api, 'GET', '/apis/v1alpha1/tasks')).status).toBe(200);
  });

  it('answers 410 for the removed _proxy route', async () => {
    const r = await call(ui, 'GET', '/pipeline/apis/v1beta1/_proxy/example.com/');
    expect(r.status).toBe(410);
  });

  it('keeps the last API server values and says apiServerReady false when the API server is gone', async () => {
    const other = await startLab({ kfpVersion: '2.17.0' });
    const gw = await startUiGateway({ apiServer: other.url, frontendTagName: '2.17.0' });
    try {
      const before = body(await call(gw, 'GET', '/apis/v2beta1/healthz'));
      expect(before).toMatchObject({ apiServerReady: true, apiServerTagName: '2.17.0', frontendTagName: '2.17.0' });
      await other.dispose();
      const after = body(await call(gw, 'GET', '/apis/v2beta1/healthz'));
      expect(after).toMatchObject({ apiServerReady: false, apiServerTagName: '2.17.0', frontendTagName: '2.17.0' });
      // Never answered: only the build metadata and apiServerReady.
      const never = body(await call(gw, 'GET', '/apis/v1beta1/healthz'));
      expect(never).toEqual({
        buildDate: '',
        frontendCommitHash: '',
        frontendTagName: '2.17.0',
        apiServerReady: false,
      });
    } finally {
      await gw.close();
    }
  });
});
