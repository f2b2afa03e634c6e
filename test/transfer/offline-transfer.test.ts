// Offline plans (no location contacted) show, per handoff, the transfer engine the file chooses and
// why, with bytes and time unknown (null, never 0): src/plan/offline.ts.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { offlinePlanOf } from '../../src/plan-pipeline/make-plan.js';
import { offlineTransfer, type OfflineTransferInput } from '../../src/plan/offline.js';
import { transferSummary } from '../../src/report/plan-text.js';
import { projectOf } from '../support/lab-project.js';
import { repoRoot } from '../support/fixtures.js';
import { cpSync } from 'node:fs';

const PINNED = `docker.io/rclone/rclone@sha256:${'5'.repeat(64)}`;
const job = { image: PINNED, namespace: 'kubeflow' };
const at = (name: string, endpoint: string, extra: Partial<OfflineTransferInput['locations'][number]> = {}) => ({
  name,
  endpoint,
  region: 'us-east-1',
  kubernetes: true,
  ...extra,
});

describe('offlineTransfer', () => {
  it('auto: inline up to the threshold, and the engine the file allows above it; size and time unknown', () => {
    const input: OfflineTransferInput = {
      spec: { engine: 'auto', inlineMaxBytes: 1024 * 1024 },
      locations: [
        at('a', 'http://s3-a'),
        at('b', 'http://s3-b', { transfer: { engines: ['inline', 'kubernetes-job'], kubernetesJob: job } }),
      ],
    };
    expect(offlineTransfer(input, 'a', 'b')).toEqual({
      engine: 'auto',
      reason: 'auto: inline up to 1.0 MiB, kubernetes-job above; the size is known once the locations are observed',
      bytes: null,
      estimatedSeconds: null,
    });
    // One endpoint (any case, trailing slash): the store's own copy comes first.
    const shared: OfflineTransferInput = { locations: [at('a', 'http://S3/'), at('b', 'http://s3')] };
    expect(offlineTransfer(shared, 'a', 'b')?.reason).toContain('inline up to 64 MiB, server-side above');
    // Nothing but inline between them.
    const apart: OfflineTransferInput = { locations: [at('a', 'http://s3-a'), at('b', 'http://s3-b')] };
    expect(offlineTransfer(apart, 'a', 'b')).toMatchObject({
      engine: 'auto',
      reason: 'auto: inline (no other engine can copy between these locations)',
      bytes: null,
    });
  });

  it("the file's explicit engine, or why it cannot copy this pair", () => {
    const locations = [
      at('a', 'http://s3-a', { transfer: { kubernetesJob: job } }),
      at('b', 'http://s3-b', { kubernetes: false }),
      at('c', 'http://s3-c', { transfer: { engines: ['inline'] } }),
      at('d', 'http://s3-d', { transfer: { kubernetesJob: { image: 'rclone/rclone:latest' } } }),
    ];
    const spec = { engine: 'kubernetes-job' as const };
    // b has no cluster: the source's (a) runs the Job.
    expect(offlineTransfer({ spec, locations }, 'a', 'b')).toEqual({
      engine: 'kubernetes-job',
      reason: 'spec.transfer.engine (sizes are known once the locations are observed)',
      bytes: null,
      estimatedSeconds: null,
    });
    expect(offlineTransfer({ spec, locations }, 'a', 'c')?.reason).toBe(
      'spec.transfer.engine is kubernetes-job, but it cannot copy from a to c: transfer.engines of c does not list kubernetes-job',
    );
    expect(offlineTransfer({ spec, locations }, 'b', 'd')?.reason).toContain('not pinned by digest');
    expect(offlineTransfer({ spec: { engine: 'server-side' }, locations }, 'a', 'b')?.reason).toContain(
      'a and b use different object store endpoints',
    );
    expect(offlineTransfer({ spec: { engine: 'inline' }, locations }, 'a', 'c')?.engine).toBe('inline');
  });
});

describe('plan --offline (offlinePlanOf)', () => {
  it('gives every handoff of the thesis chain its engine and reason, bytes unknown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-offline-xfer-'));
    cpSync(join(repoRoot, 'examples/thesis/pipelines'), join(dir, 'pipelines'), { recursive: true });
    const doc = parse(readFileSync(join(repoRoot, 'examples/thesis/split-pipeline.yaml'), 'utf8')) as {
      spec: { transfer?: unknown; locations: { name: string; transfer?: unknown }[] };
    };
    doc.spec.transfer = { engine: 'auto', inlineMaxBytes: 1 };
    for (const l of doc.spec.locations)
      l.transfer = { engines: ['inline', 'kubernetes-job'], kubernetesJob: { image: PINNED, namespace: 'kubeflow' } };
    writeFileSync(join(dir, 'split-pipeline.yaml'), stringify(doc));
    const plan = offlinePlanOf(await projectOf(join(dir, 'split-pipeline.yaml')));
    const handoffs = plan.operations.filter((o) => o.kind === 'handoff');
    expect(handoffs.map((h) => [h.from, h.location, h.transfer?.engine, h.transfer?.bytes])).toEqual([
      ['a', 'b', 'auto', null],
      ['b', 'c', 'auto', null],
    ]);
    expect(transferSummary(handoffs[0]!)).toBe(
      'transfer: auto, size unknown (auto: inline up to 1 B, kubernetes-job above; the size is known once the locations are observed)',
    );
  });
});
