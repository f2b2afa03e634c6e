// bench/vs-snapshot: what our handoff moves, against what the seed thesis's approach moves for the
// same handoff — a snapshot of the source location's whole state (its ML Metadata and KFP
// databases and its whole artifact bucket, Rok-style), at a location with a large history.
//
// The source (train) has years of use: 100k executions (with artifacts and events) in ML Metadata
// and 2,000 objects of earlier runs in its bucket. The train-serve example then runs stage 1 there
// with realistic output sizes, and the handoff to serve is measured: the artifact bytes it copies
// plus the metadata it carries (the bundle, serialized).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { applyProject } from '../src/apply/apply.js';
import { ReconcileSession } from '../src/apply/session.js';
import { ObjectStore } from '../src/location/objectstore/index.js';
import { markerRunName } from '../src/split-file/run-names.js';
import { loadProject } from '../src/split-file/load-project.js';
import { exportHandoff } from '../src/sync/export.js';
import { runHandoff } from '../src/sync/handoff.js';
import { exampleOnLabs } from '../test/support/lab-project.js';
import { benchLab, figures, MiB, round, runBench, say, timed } from './lib/bench-kit.js';
import { insertHistory } from './lib/history.js';

const HISTORY_EXECUTIONS = Number(process.env['BENCH_SNAPSHOT_HISTORY'] ?? 100_000);
const OLD_OBJECTS = Number(process.env['BENCH_SNAPSHOT_OLD_OBJECTS'] ?? 2000);
const OLD_OBJECT_BYTES = 128 * 1024;

/** Bytes of the files under `dir` whose name matches `keep`. */
function bytesUnder(dir: string, keep: (name: string) => boolean = () => true): number {
  let total = 0;
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    const st = statSync(p);
    if (st.isDirectory()) total += bytesUnder(p, keep);
    else if (keep(entry)) total += st.size;
  }
  return total;
}

const mb = (n: number) => `${round(n / 1e6, 1)} MB`;

async function main(): Promise<void> {
  // Realistic outputs: a dataset, its split, a model, metrics.
  const sizes = { 'load-data': 16 * MiB, 'split-data': 8 * MiB, 'train-model': 12 * MiB, 'evaluate-model': 64 * 1024 };
  const b = await benchLab('vs-snapshot', {
    locations: ['train', 'serve'],
    steps: { train: Object.fromEntries(Object.entries(sizes).map(([k, v]) => [k, { outputBytes: v }])) },
  });
  try {
    const train = b.lab.locations['train']!;
    const t = await timed(async () => {
      await insertHistory('train', train.mlmd, HISTORY_EXECUTIONS);
      const store = new ObjectStore({
        location: 'train',
        endpoint: train.objectStore,
        credentials: train.credentials,
        pipelineRoot: train.pipelineRoot,
      });
      const body = Buffer.alloc(OLD_OBJECT_BYTES, 7);
      for (let i = 0; i < OLD_OBJECTS; i += 50) {
        await Promise.all(
          Array.from({ length: Math.min(50, OLD_OBJECTS - i) }, (_, j) =>
            store.s3.send(
              new PutObjectCommand({
                Bucket: train.bucket,
                Key: `v2/artifacts/old-pipeline/run-${Math.floor((i + j) / 10)}/task-${(i + j) % 10}/data`,
                Body: body,
              }),
            ),
          ),
        );
      }
      store.close();
    });
    say(
      `history at train: ${HISTORY_EXECUTIONS} executions (+ artifacts, events) in ML Metadata, ` +
        `${OLD_OBJECTS} objects of earlier runs (${mb(OLD_OBJECTS * OLD_OBJECT_BYTES)}) — ${round(t.seconds, 1)} s`,
    );

    const file = exampleOnLabs([b.lab], b.dir, 'train-serve');
    const loaded = await loadProject(file);
    if (!loaded.project) throw new Error('the train-serve example does not load');
    const project = loaded.project;
    const stage1 = await applyProject(project, { env: b.env, pollMs: 200, through: '1' });
    if (!stage1.applied.every((a) => a.status === 'done')) throw new Error('stage 1 did not finish');

    const session = new ReconcileSession(project, { env: b.env });
    let moved: number;
    let metadataBytes: number;
    let steps: string[];
    try {
      const plan = session.plan(await session.observe());
      const op = plan.operations.find((o) => o.kind === 'handoff');
      if (!op?.steps) throw new Error('no handoff planned');
      steps = op.steps;
      // The metadata a handoff carries is its bundle: measure it serialized.
      const bundle = await exportHandoff({
        source: session.readers(op.from!),
        graph: project.graph,
        parameters: session.parameters,
        steps,
        splitPipeline: project.spec.metadata.name,
        revision: project.revision.short,
      });
      metadataBytes = Buffer.byteLength(JSON.stringify(bundle));
      const report = await runHandoff({
        source: session.readers(op.from!),
        target: session.readers(op.location),
        graph: project.graph,
        parameters: session.parameters,
        steps,
        splitPipeline: project.spec.metadata.name,
        revision: project.revision.short,
        experiment: session.experiment,
        markerRunName: markerRunName(project.spec.metadata.name, project.revision.short, op.stage, op.from!),
      });
      moved = report.bytesMoved;
    } finally {
      await session.close();
    }
    const ours = moved + metadataBytes;

    // The snapshot: the source's databases and its whole bucket (object bytes only, not the
    // store's own bookkeeping files).
    const labDir = join(b.dir, 'lab', 'train');
    const databases = bytesUnder(labDir, (n) => /^(mlmd|kfp)\.sqlite(-wal|-shm)?$/.test(n));
    const bucket = bytesUnder(join(labDir, 'objects', train.bucket), (n) => n.endsWith('._S3rver_object'));
    const snapshot = databases + bucket;
    const ratio = snapshot / ours;
    say(`handoff of ${steps.join(', ')} from train to serve:`);
    say(`  ours:     ${mb(ours)} (${mb(moved)} artifact bytes + ${round(metadataBytes / 1024, 1)} KiB metadata)`);
    say(`  snapshot: ${mb(snapshot)} (${mb(databases)} ML Metadata + KFP databases, ${mb(bucket)} bucket)`);
    say(`  the snapshot moves ${round(ratio, 1)} × the bytes of our handoff`);
    figures('vs-snapshot', {
      historyExecutions: HISTORY_EXECUTIONS,
      oldObjects: OLD_OBJECTS,
      steps,
      oursBytes: ours,
      oursArtifactBytes: moved,
      oursMetadataBytes: metadataBytes,
      snapshotBytes: snapshot,
      snapshotDatabaseBytes: databases,
      snapshotBucketBytes: bucket,
      snapshotToOurs: round(ratio, 1),
    });
  } finally {
    await b.close();
  }
}

runBench(main);
