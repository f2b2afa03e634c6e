// A location configured with the Kubeflow UI gateway (`…/pipeline`) instead of the KFP API server:
// `plan` exits 1 with advice naming the location and the API server's service and port, and never
// guesses the KFP version from the UI. The lab serves the gateway (`uiGateway`), as ml-pipeline-ui does.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLabFile } from '../../packages/lab/src/lab-config.js';
import { startLab, type Lab } from '../../packages/lab/src/lab.js';
import { runCli } from '../support/cli.js';
import { exampleOnLabs, labEnv } from '../support/lab-project.js';
import { planJson } from '../support/json-output.js';

let lab: Lab;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sp-ui-gateway-'));
  lab = await startLab({
    dir: join(dir, 'lab'),
    locations: ['train', 'serve'],
    ports: 'ephemeral',
    kfpVersion: { serve: '2.14.0' },
    uiGateway: { serve: true },
  });
});
afterAll(async () => {
  await lab.close();
});

/** The train-serve example on the lab, with serve's kfp.endpoint replaced (and optionally a kfp.version). */
function fileWithServeEndpoint(name: string, endpoint: string, version?: string): string {
  const sub = join(dir, name);
  const file = exampleOnLabs([lab], (mkdtempSync(sub), sub), 'train-serve');
  const apiServer = lab.locations['serve']!.kfp;
  const text = readFileSync(file, 'utf8');
  const from = `"kfp":{"endpoint":"${apiServer}"`;
  expect(text).toContain(from);
  writeFileSync(file, text.replace(from, `"kfp":{"endpoint":"${endpoint}"${version ? `,"version":"${version}"` : ''}`));
  return file;
}

describe('a location behind the Kubeflow UI gateway', () => {
  it('is served by the lab next to the API server; lab.json names it, the locations block does not', async () => {
    const serve = lab.locations['serve']!;
    expect(serve.kfpUi).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(lab.locations['train']!.kfpUi).toBeUndefined();
    expect((await readLabFile(lab.dir))!.locations['serve']!.kfpUi).toBe(serve.kfpUi);
    expect(lab.locationsYaml()).toContain(serve.kfp);
    expect(lab.locationsYaml()).not.toContain(serve.kfpUi!);
  });

  it('makes plan exit 1 with the API server advice, and no version read from the UI', async () => {
    const file = fileWithServeEndpoint('plain', `${lab.locations['serve']!.kfpUi}/pipeline`);
    const res = await runCli(['plan', '-f', file], { env: labEnv([lab]), timeoutMs: 60_000 });
    expect(res.code, res.stderr).toBe(1);
    expect(res.stderr).toContain('KFP at location "serve"');
    expect(res.stderr).toContain('is the Kubeflow Pipelines UI');
    expect(res.stderr).toContain('http://ml-pipeline.kubeflow:8888');
    expect(res.stderr).toContain('kubectl port-forward -n kubeflow svc/ml-pipeline 8888:8888');
    // serve's API server is 2.14.0 and the UI reports it as apiServerTagName; it is not used.
    expect(res.stderr).not.toContain('2.14.0');
    expect(res.stdout).toBe('');
  });

  it('still refuses with a kfp.version override: the task API cannot be reached through the UI', async () => {
    const file = fileWithServeEndpoint('override', `${lab.locations['serve']!.kfpUi}/pipeline`, '2.14.0');
    const res = await runCli(['plan', '-f', file, '--json'], { env: labEnv([lab]), timeoutMs: 60_000 });
    expect(res.code, res.stderr).toBe(1);
    expect(res.stderr).toContain('KFP at location "serve"');
    expect(res.stderr).toContain('http://ml-pipeline.kubeflow:8888');
  });

  it('plans normally against the API server itself', async () => {
    const file = fileWithServeEndpoint('direct', lab.locations['serve']!.kfp);
    const res = await runCli(['plan', '-f', file, '--json'], { env: labEnv([lab]), timeoutMs: 60_000 });
    expect(res.code, res.stderr).toBe(0);
    expect(planJson(res.stdout).inSync).toBe(false);
  });
});

describe('lab up --ui-gateway', () => {
  it('serves the gateway in front of every location and prints its /pipeline URL', async () => {
    const labDir = mkdtempSync(join(tmpdir(), 'lab-cli-ui-'));
    try {
      const res = await runCli([
        'lab',
        'up',
        '--detach',
        '--dir',
        labDir,
        '--ports',
        'ephemeral',
        '--locations',
        'a',
        '--ui-gateway',
      ]);
      expect(res.code, res.stderr).toBe(0);
      const a = (await readLabFile(labDir))!.locations['a']!;
      expect(a.kfpUi).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(res.stdout).toContain(`${a.kfpUi}/pipeline`);
      const health = (await (await fetch(`${a.kfpUi}/pipeline/apis/v2beta1/healthz`)).json()) as Record<
        string,
        unknown
      >;
      expect(health).toMatchObject({ apiServerTagName: '2.17.0', frontendTagName: '2.17.0', apiServerReady: true });
      expect((await fetch(`${a.kfpUi}/pipeline/apis/v1alpha1/tasks`)).status).toBe(404);
    } finally {
      await runCli(['lab', 'down', '--dir', labDir]);
      rmSync(labDir, { recursive: true, force: true });
    }
  });
});
