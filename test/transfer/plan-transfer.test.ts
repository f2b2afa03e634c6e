// The plan's transfer per handoff (engine, bytes, estimated time) and how the reports show it.
import { describe, expect, it } from 'vitest';
import { plannedTransfer, withTransfers } from '../../src/apply/plan-transfer.js';
import { KubeClient } from '../../src/location/kube/index.js';
import type { ObjectStore } from '../../src/location/objectstore/index.js';
import type { PlanDocument, PlannedOperation } from '../../src/plan/types.js';
import { renderPlanMarkdown } from '../../src/report/plan-markdown.js';
import { renderPlanText, transferSummary } from '../../src/report/plan-text.js';
import type { TransferSide } from '../../src/transfer/engine.js';

const MiB = 1024 * 1024;
const store = {} as ObjectStore;
const cluster = new KubeClient({ location: 'b', connection: { server: 'http://127.0.0.1:1' } });
const job = { image: `rclone/rclone@sha256:${'a'.repeat(64)}` };
const side = (location: string, endpoint: string, settings?: TransferSide['settings'], withCluster = false) => ({
  location,
  endpoint,
  region: 'us-east-1',
  store,
  settings,
  ...(withCluster ? { cluster } : {}),
});
const a = side('a', 'http://s3-a:9000', { engines: ['inline', 'kubernetes-job'] });
const b = side('b', 'http://s3-b:9000', { engines: ['inline', 'kubernetes-job'], kubernetesJob: job }, true);

describe('the plan of a handoff copy', () => {
  it('auto: inline for small handoffs, the Job above inlineMaxBytes, with an estimate from the throughput', () => {
    expect(plannedTransfer(undefined, a, b, 1000)).toMatchObject({
      engine: 'inline',
      bytes: 1000,
      estimatedSeconds: 1,
    });
    const big = plannedTransfer(
      { engine: 'auto', throughputBytesPerSecond: { 'kubernetes-job': 100 * MiB } },
      a,
      b,
      1000 * MiB,
    );
    expect(big).toEqual({
      engine: 'kubernetes-job',
      reason: 'auto: 1000 MiB > inlineMaxBytes 64 MiB, and kubernetes-job can copy this pair',
      bytes: 1000 * MiB,
      estimatedSeconds: 10,
    });
  });

  it('while the size is unknown, auto says what it will choose between and estimates nothing', () => {
    const t = plannedTransfer(undefined, a, b, null);
    expect(t).toMatchObject({ engine: 'auto', bytes: null, estimatedSeconds: null });
    expect(t.reason).toContain('inline up to 64 MiB, kubernetes-job above');
    // Without a cluster at either end the Job cannot run: large handoffs stay inline.
    expect(plannedTransfer(undefined, a, side('b', 'http://s3-b:9000', b.settings), null).reason).toContain(
      'no other engine',
    );
  });

  it("an explicit engine that cannot copy the pair is planned with the reason, and apply's error to come", () => {
    const t = plannedTransfer({ engine: 'server-side' }, a, b, 5 * MiB);
    expect(t).toMatchObject({ engine: 'server-side', estimatedSeconds: null });
    expect(t.reason).toMatch(/cannot copy from a to b/);
  });

  it('is added to handoffs only, and shown in the text and Markdown plans', () => {
    const op = (kind: PlannedOperation['kind'], extra: Partial<PlannedOperation> = {}): PlannedOperation => ({
      id: `${kind}:2`,
      kind,
      stage: 2,
      location: 'b',
      reason: 'because',
      ...extra,
    });
    const plan = {
      name: 'p',
      revision: 'r',
      revisionDigest: 'd',
      pipeline: { name: 'p', package: 'p.yaml' },
      offline: false,
      inSync: false,
      stages: [],
      operations: [op('handoff', { from: 'a', steps: ['x'], bytes: 200 * MiB }), op('run-stage')],
      warnings: [],
      diagnostics: [],
      drift: [],
    } as PlanDocument;
    const withT = withTransfers(plan, { engine: 'auto' }, (l) => (l === 'a' ? a : b));
    expect(withT.operations[0]!.transfer?.engine).toBe('kubernetes-job');
    expect(withT.operations[1]!.transfer).toBeUndefined();
    const line = transferSummary(withT.operations[0]!);
    expect(line).toBe(
      'transfer: kubernetes-job, 200 MiB, about 1s (auto: 200 MiB > inlineMaxBytes 64 MiB, and kubernetes-job can copy this pair)',
    );
    expect(renderPlanText(withT)).toContain(`      ${line}`);
    expect(renderPlanMarkdown(withT)).toContain('transfer: kubernetes-job, 200 MiB, about 1s');
    expect(
      transferSummary({
        ...withT.operations[0]!,
        transfer: { ...withT.operations[0]!.transfer!, bytes: null, estimatedSeconds: null },
      }),
    ).toContain('size unknown');
  });
});
