// A location whose kfp.endpoint is the Kubeflow UI (ml-pipeline-ui) instead of the API server: the
// client refuses it with advice, and never takes the version from the UI's healthz.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKfpServer, type KfpServer } from '../../../packages/lab/src/kfp/index.js';
import { startUiGateway, type UiGateway } from '../../../packages/lab/src/kfp/ui-gateway.js';
import { KfpClient, KfpError, type Transport } from '../../../src/location/kfp/index.js';

let dir: string;
let api: KfpServer;
let ui: UiGateway;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kfp-client-ui-'));
  api = await startKfpServer({ dbPath: join(dir, 'kfp.sqlite'), kfpVersion: '2.14.0' });
  ui = await startUiGateway({ apiServer: api.url, frontendTagName: '2.14.0' });
});
afterAll(async () => {
  await ui.close();
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

const through = (endpoint: string, extra: Partial<ConstructorParameters<typeof KfpClient>[0]> = {}): KfpClient =>
  new KfpClient({ location: 'serve', endpoint, timeoutMs: 5000, retries: 0, ...extra });

async function failure(p: Promise<unknown>): Promise<KfpError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof KfpError)) throw new Error(`expected a KfpError, got ${String(e)}`);
  return e;
}

describe('KfpClient pointed at the Kubeflow UI gateway', () => {
  it('refuses the UI in healthz, naming the location and the API server’s service and port', async () => {
    for (const endpoint of [`${ui.url}/pipeline`, ui.url]) {
      const e = await failure(through(endpoint).healthz());
      expect(e.location).toBe('serve');
      expect(e.operation).toBe('healthz');
      expect(e.message).toContain('KFP at location "serve": healthz failed');
      expect(e.message).toContain(`${endpoint} is the Kubeflow Pipelines UI`);
      expect(e.message).toContain('http://ml-pipeline.kubeflow:8888');
      expect(e.message).toContain('kubectl port-forward -n kubeflow svc/ml-pipeline 8888:8888');
      // The UI does report the API server's tag, but the client never presents it as the version.
      expect(e.message).not.toContain('2.14.0');
    }
  });

  it('refuses a task API call that the UI answers with 404', async () => {
    const client = through(`${ui.url}/pipeline`);
    const listed = await failure(client.listTasks({ pageSize: 1 }));
    expect(listed.operation).toBe('listTasks');
    expect(listed.message).toContain(
      '/apis/v1alpha1/tasks answered HTTP 404 (Cannot GET /pipeline/apis/v1alpha1/tasks)',
    );
    expect(listed.message).toContain('http://ml-pipeline.kubeflow:8888');
    const created = await failure(
      client.createTask({
        pipelineName: 'pipeline/x',
        runId: 'r',
        mlmdExecutionID: '1',
        fingerprint: 'f'.repeat(64),
        createdAt: new Date(),
      }),
    );
    expect(created.operation).toMatch(/^createTask /);
    expect(created.message).toContain('Cannot POST /pipeline/apis/v1alpha1/tasks');
  });

  it('says to drop the user-id header when the location sends one', async () => {
    const e = await failure(
      through(`${ui.url}/pipeline`, {
        userIdHeader: { name: 'kubeflow-userid', value: 'alice@example.com' },
      }).healthz(),
    );
    expect(e.message).toContain('Remove kfp.userIdHeader');
    expect(e.message).toContain('pipelines.kubeflow.org');
  });

  it('still reads the API server’s own healthz, and a real 404 from the API server stays a 404', async () => {
    const direct = through(api.url);
    expect(await direct.healthz()).toEqual({ version: '2.14.0', multiUser: false, commitSha: 'unknown' });
    expect((await direct.listTasks({ pageSize: 1 })).items).toEqual([]);
    const missing = await failure(direct.getRun('no-such-run'));
    expect(missing.status).toBe(404);
    expect(missing.message).not.toContain('Kubeflow Pipelines UI');
  });

  it('recognises the UI healthz also when the UI cannot reach the API server', async () => {
    const answer = JSON.stringify({
      buildDate: '',
      frontendCommitHash: '',
      frontendTagName: '2.17.0',
      apiServerReady: false,
    });
    const transport: Transport = async () => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      text: answer,
    });
    const e = await failure(through('https://kubeflow.example.com/pipeline', { transport }).healthz());
    expect(e.message).toContain('https://kubeflow.example.com/pipeline is the Kubeflow Pipelines UI');
  });
});
