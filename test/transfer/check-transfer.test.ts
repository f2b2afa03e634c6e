// The file's transfer settings: schema and check-transfer.ts errors at FILE:LINE:COL.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/diagnostics/diagnostic.js';
import { loadProject } from '../../src/split-file/load-project.js';

const pkg = [
  'pipelineInfo: {name: p}',
  'schemaVersion: 2.1.0',
  'components:',
  '  comp-c: {executorLabel: exec-c}',
  'deploymentSpec:',
  '  executors:',
  '    exec-c: {container: {image: alpine, command: [echo]}}',
  'root:',
  '  dag:',
  '    tasks:',
  '      one: {componentRef: {name: comp-c}}',
  '      two: {componentRef: {name: comp-c}, dependentTasks: [one]}',
].join('\n');

const DIGEST = `rclone/rclone@sha256:${'a'.repeat(64)}`;

async function load(transfer: string[], transferA: string[]): Promise<{ file: string; messages: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'sp-xfer-'));
  mkdirSync(join(dir, 'pipelines'));
  writeFileSync(join(dir, 'pipelines/p.yaml'), pkg);
  const loc = (name: string, extra: string[]) => [
    `    - name: ${name}`,
    '      kfp: {endpoint: http://127.0.0.1:1}',
    '      mlmd: {endpoint: "127.0.0.1:2"}',
    `      objectStore: {endpoint: "http://127.0.0.1:3", pipelineRoot: "s3://lake-${name}/p"}`,
    ...extra,
  ];
  const lines = [
    'apiVersion: splitpipelines.dev/v1alpha1',
    'kind: SplitPipeline',
    'metadata: {name: x}',
    'spec:',
    '  pipeline: {package: pipelines/p.yaml}',
    ...transfer,
    '  locations:',
    ...loc('a', transferA),
    ...loc('b', []),
    '  stages:',
    '    - {location: a, steps: [one]}',
    '    - {location: b, steps: [two]}',
  ];
  const file = join(dir, 'split-pipeline.yaml');
  writeFileSync(file, lines.join('\n') + '\n');
  const r = await loadProject(file, { root: dir });
  return { file, messages: r.diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d)) };
}

describe('transfer settings in the file', () => {
  it('accepts engines, server-side thresholds and a Job pinned by digest', async () => {
    const r = await load(
      ['  transfer: {engine: auto, inlineMaxBytes: 1000}'],
      [
        '      transfer:',
        '        engines: [inline, server-side, kubernetes-job]',
        '        serverSideMultipartThresholdBytes: 6000000',
        `        kubernetesJob: {image: "${DIGEST}", namespace: kubeflow, serviceAccountName: copier,`,
        '          nodeSelector: {pool: io}, resources: {limits: {cpu: "2", memory: 1Gi}}, credentialsSecret: {name: s3-a}}',
      ],
    );
    expect(r.messages).toEqual([]);
  });

  it('refuses an explicit engine a location does not allow, at its transfer.engines', async () => {
    const r = await load(['  transfer: {engine: server-side}'], ['      transfer: {engines: [inline]}']);
    expect(r.messages).toEqual([
      `${r.file}:12:27: spec.transfer.engine is server-side, but location "a" allows only inline: ` +
        'add server-side to its transfer.engines, or set spec.transfer.engine to auto',
    ]);
  });

  it('accepts ttlSecondsAfterFinished from 60 s, and refuses less at FILE:LINE:COL', async () => {
    const job = (ttl: string) => [
      `      transfer: {kubernetesJob: {image: "${DIGEST}", ttlSecondsAfterFinished: ${ttl}}}`,
    ];
    expect((await load([], job('3600'))).messages).toEqual([]);
    for (const bad of ['0', '59', '1.5', '"1h"']) {
      const r = await load([], job(bad));
      expect(r.messages.join('\n'), bad).toMatch(
        /:11:\d+: spec\.locations\[0\]\.transfer\.kubernetesJob\.ttlSecondsAfterFinished: must be/,
      );
    }
  });

  it('refuses the Job engine without its settings, and an image not pinned by digest', async () => {
    const r = await load([], ['      transfer: {engines: [kubernetes-job]}']);
    expect(r.messages.join('\n')).toMatch(
      /:11:\d+: location "a" allows the kubernetes-job transfer engine but has no transfer.kubernetesJob/,
    );
    const tag = await load([], ['      transfer: {kubernetesJob: {image: "rclone/rclone:1.68"}}']);
    expect(tag.messages.join('\n')).toMatch(/:11:\d+: .*image/);
  });
});
