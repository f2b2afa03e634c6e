// Starting and stopping a lab: endpoints, lab.json, kubeconfig, the locations block, and the
// refusals (busy port, directory in use).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readLabFile } from '../../packages/lab/src/lab-config.js';
import { startLab, type Lab } from '../../packages/lab/src/lab.js';
import { defaultPorts, PortInUseError } from '../../packages/lab/src/ports.js';
import { labProblem } from '../../packages/lab/src/readiness.js';
import { KfpClient } from '../../src/location/kfp/index.js';
import { KubeClient } from '../../src/location/kube/index.js';
import { loadSpecText } from '../../src/split-file/load.js';
import { repoRoot } from '../support/fixtures.js';

const dirs: string[] = [];
const labs: Lab[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'lab-'));
  dirs.push(d);
  return d;
}

async function lab(options: Partial<Parameters<typeof startLab>[0]> = {}): Promise<Lab> {
  const l = await startLab({ dir: tempDir(), ports: 'ephemeral', ...options });
  labs.push(l);
  return l;
}

afterEach(async () => {
  for (const l of labs.splice(0)) await l.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('a started lab', () => {
  it('has locations a, b and c by default, each answering on KFP, ML Metadata, S3 and Kubernetes', async () => {
    const l = await lab();
    expect(Object.keys(l.locations)).toEqual(['a', 'b', 'c']);
    const file = (await readLabFile(l.dir))!;
    expect(await labProblem(file)).toBeUndefined();
  });

  it('reports each location’s KFP version in healthz', async () => {
    const l = await lab({ locations: ['x', 'y'], kfpVersion: { x: '2.14.0' } });
    const version = (name: string) =>
      new KfpClient({ location: name, endpoint: l.locations[name]!.kfp }).healthz().then((h) => h.version);
    expect(await version('x')).toBe('2.14.0');
    expect(await version('y')).toBe('2.17.0');
  });

  it('writes lab.json with every location’s endpoints, pipeline root and this process’s pid', async () => {
    const l = await lab({ locations: ['train', 'serve'] });
    const file = JSON.parse(readFileSync(join(l.dir, 'lab.json'), 'utf8')) as Record<string, unknown> & {
      locations: Record<string, Record<string, unknown>>;
    };
    expect(file.pid).toBe(process.pid);
    expect(Object.keys(file.locations)).toEqual(['train', 'serve']);
    expect(file.locations.train).toMatchObject({
      kfp: l.locations.train!.kfp,
      mlmd: l.locations.train!.mlmd,
      objectStore: l.locations.train!.objectStore,
      kubernetes: l.locations.train!.kubernetes,
      pipelineRoot: 'minio://mlpipeline/v2/artifacts',
      bucket: 'mlpipeline',
      kfpVersion: '2.17.0',
    });
    expect(l.locations.train!.kfp).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(l.locations.train!.mlmd).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('removes the pid from lab.json when it closes, keeping the endpoints for reference', async () => {
    const l = await lab({ locations: ['a'] });
    await l.close();
    const file = (await readLabFile(l.dir))!;
    expect(file.pid).toBeUndefined();
    expect(file.stoppedAt).toBeDefined();
    expect(file.locations.a!.kfp).toBe(l.locations.a!.kfp);
  });

  it('writes a kubeconfig whose contexts reach each location’s Kubernetes API with the product’s client', async () => {
    const l = await lab({ locations: ['a', 'b'] });
    const kube = new KubeClient({ location: 'b', connection: { kubeconfig: l.kubeconfig, context: 'b' } });
    expect(kube.namespace).toBe('kubeflow');
    expect(kube.kubeConfig.getCluster('b')?.server).toBe(l.locations.b!.kubernetes);
    expect(await kube.readLease('split-pipelines-lock')).toBeUndefined();
  });

  it('gives a locations block that makes a valid split-pipeline.yaml', async () => {
    const l = await lab({ locations: ['a', 'b'] });
    const block = l.locationsYaml({ kubeconfig: '../.lab/kubeconfig' });
    const indented = block
      .trimEnd()
      .split('\n')
      .map((line) => `  ${line}`)
      .join('\n');
    const text = [
      'apiVersion: splitpipelines.dev/v1alpha1',
      'kind: SplitPipeline',
      'metadata:',
      '  name: thesis',
      'spec:',
      '  pipeline:',
      `    package: ${join(repoRoot, 'examples/thesis/pipelines/thesis-pipeline.yaml')}`,
      indented,
      '  stages:',
      '    - location: a',
      '      steps: [load-data, split-data]',
      '    - location: b',
      '      steps: [train-model, evaluate-model, serve-model]',
      '',
    ].join('\n');
    const loaded = loadSpecText(text, join(repoRoot, 'examples/thesis/lab-test.yaml'));
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const entries = (parse(block) as { locations: { name: string; kfp: { endpoint: string } }[] }).locations;
    expect(entries.map((e) => [e.name, e.kfp.endpoint])).toEqual([
      ['a', l.locations.a!.kfp],
      ['b', l.locations.b!.kfp],
    ]);
  });

  it('in multi-user mode names the namespace and a token variable in the block, never the token', async () => {
    const l = await lab({ locations: ['a'], multiUser: { a: { token: 'secret-token-value', namespace: 'team-a' } } });
    const block = l.locationsYaml();
    expect(block).toContain('namespace: team-a');
    expect(block).toContain('tokenEnv: LAB_A_TOKEN');
    expect(block).not.toContain('secret-token-value');
    expect(readFileSync(join(l.dir, 'lab.json'), 'utf8')).not.toContain('secret-token-value');
  });
});

describe('refusals', () => {
  it('fails clearly when a default port is taken', async () => {
    const port = defaultPorts(0).kfp;
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => {
      blocker.once('error', () => resolve()); // already taken by someone else: just as good
      blocker.listen(port, '127.0.0.1', () => resolve());
    });
    try {
      const start = startLab({ dir: tempDir(), locations: ['a'] });
      await expect(start).rejects.toThrow(PortInUseError);
      await expect(start).rejects.toThrow(
        'port 18880 is in use: is a lab already running? `split-pipelines lab down` or --dir',
      );
    } finally {
      await new Promise<void>((resolve) => (blocker.listening ? blocker.close(() => resolve()) : resolve()));
    }
  });

  it('refuses a directory a running lab is serving', async () => {
    const l = await lab({ locations: ['a'] });
    // A lab of another process: fake it by naming a live pid that is not ours (the parent of this worker).
    const file = (await readLabFile(l.dir))!;
    const { writeLabFile } = await import('../../packages/lab/src/lab-config.js');
    await writeLabFile(l.dir, { ...file, pid: process.ppid });
    await expect(startLab({ dir: l.dir, locations: ['a'], ports: 'ephemeral' })).rejects.toThrow(
      /a lab is already running in .* \(pid \d+\)/,
    );
  });

  it('refuses location names that are not DNS labels', async () => {
    await expect(startLab({ dir: tempDir(), locations: ['Train'], ports: 'ephemeral' })).rejects.toThrow(
      /not a DNS label/,
    );
  });
});
