// Apply as a walk over the plan (Terraform's model): each operation re-checks what it needs and is
// idempotent, so an apply killed anywhere and run again resumes where it stopped and never repeats
// finished work (a stage run is found by name and awaited, a handoff finds what it imported).
import { createHash } from 'node:crypto';
import { UserError } from '../errors/user-error.js';
import type { KfpRun } from '../location/kfp/index.js';
import { eq, waitForRunEnd, where } from '../location/kfp/index.js';
import { newestFirst, nextStageRunSequence, stageRunSequenceTag } from '../observe/run-order.js';
import { verifyStage } from '../observe/location-backend.js';
import { prunePipeline } from '../pipeline/prune.js';
import { markerRunName, pipelineVersionName, stageRunName } from '../split-file/run-names.js';
import type { PlanDocument, PlannedOperation } from '../plan/types.js';
import { runHandoff, type HandoffReport } from '../sync/handoff.js';
import type { TransferChoice } from '../sync/copy-bytes.js';
import { beforeRunAgainAt, writeFreshEntriesAt } from '../sync/location-records.js';
import { kubernetesJobEngine } from '../transfer/kubernetes-job.js';
import { formatDuration } from '../units/duration.js';
import type { ApplyListener } from './events.js';
import { LockLostError, type HeldLocks } from './lock.js';
import type { ReconcileSession } from './session.js';

/** An operation of the plan failed; what it finished stays done, so apply resumes from here. */
export class OperationError extends UserError {
  constructor(
    readonly op: PlannedOperation,
    message: string,
    /** The failure underneath, whose own advice (a user error's) comes first. */
    cause?: unknown,
  ) {
    const inner = cause instanceof UserError ? cause : undefined;
    super(
      `${op.kind} at ${op.location}${op.from ? ` (from ${op.from})` : ''} for stage ${op.stage}: ${inner ? inner.problem : message}`,
      {
        code: 'operation-failed',
        location: op.location,
        operation: op.kind,
        advice: `${inner?.advice ? `${inner.advice.replace(/[.\s]+$/, '')}; then ` : ''}apply again: it resumes from here, nothing is lost`,
        cause,
      },
    );
    this.name = 'OperationError';
  }
}

export interface AppliedOperation {
  id: string;
  kind: PlannedOperation['kind'];
  stage: number;
  location: string;
  from?: string;
  status: 'done' | 'failed';
  detail: string;
  durationMs: number;
  bytesMoved?: number;
  /** Handoffs: the transfer engine that copied the bytes (inline, server-side, kubernetes-job). */
  engine?: HandoffReport['engine'];
  runId?: string;
  handoff?: HandoffReport;
}

export interface ExecuteOptions {
  /** Stop after this stage (1-based). */
  throughStage?: number;
  onEvent?: ApplyListener;
  /** Poll interval for run states (default 1 s, growing to 5 s). */
  pollMs?: number;
  /** How long to wait for one run to finish (default 24 h): then apply stops and says what to do. */
  runTimeoutMs?: number;
  /** The locks this apply holds: checked before every write, so a lost lock stops it (lock.ts). */
  locks?: Pick<HeldLocks, 'assertHeld' | 'lost'>;
}

/** Waiting for a run gives up after this long unless told otherwise. */
export const DEFAULT_RUN_TIMEOUT_MS = 24 * 3_600_000;

/** Operations that write at their location (the others only read). */
const WRITES: ReadonlySet<PlannedOperation['kind']> = new Set(['upload-pipeline', 'handoff', 'run-stage']);

export async function executePlan(
  session: ReconcileSession,
  plan: PlanDocument,
  options: ExecuteOptions = {},
): Promise<AppliedOperation[]> {
  const applied: AppliedOperation[] = [];
  const stageRuns = new Map<number, string>();
  for (const s of plan.stages) if (s.runId) stageRuns.set(s.index, s.runId);
  for (const op of plan.operations) {
    if (options.throughStage !== undefined && op.stage > options.throughStage) break;
    if (WRITES.has(op.kind)) await options.locks?.assertHeld();
    options.onEvent?.({ type: 'operation-start', op });
    const started = Date.now();
    const record = (detail: string, extra: Partial<AppliedOperation> = {}) => {
      const a: AppliedOperation = {
        id: op.id,
        kind: op.kind,
        stage: op.stage,
        location: op.location,
        status: 'done',
        detail,
        durationMs: Date.now() - started,
        ...extra,
      };
      if (op.from) a.from = op.from;
      applied.push(a);
      const ev: Parameters<ApplyListener>[0] = { type: 'operation-done', op, detail, durationMs: a.durationMs };
      if (a.bytesMoved !== undefined) ev.bytesMoved = a.bytesMoved;
      options.onEvent?.(ev);
    };
    try {
      switch (op.kind) {
        case 'upload-pipeline':
          record(await uploadPipeline(session, op.location));
          break;
        case 'handoff': {
          const report = await handoff(session, op, options);
          const by = report.transfer?.detail
            ? ` by ${report.engine} (${report.transfer.detail}${report.transfer.resumed ? ', resumed' : ''})`
            : ` by ${report.engine}`;
          record(
            `${report.steps.join(', ')}: ${report.objectsCopied}/${report.objects} objects${by}, ` +
              `${report.bytesMoved} bytes moved by this process, ${report.executionsCreated} executions and ` +
              `${report.artifactsCreated} artifacts imported, ${report.cacheRowsCreated} cache rows ` +
              `(marker run ${report.markerRunId})`,
            { bytesMoved: report.bytesMoved, engine: report.engine, handoff: report },
          );
          break;
        }
        case 'run-stage': {
          if (op.refresh && op.refresh.length > 0)
            await beforeRunAgainAt(session.readers(op.location), {
              graph: session.project.graph,
              parameters: session.parameters,
              steps: op.refresh,
              runTasks: session.project.layouts[op.stage - 1]!.runTasks,
            });
          const run = await submitStage(session, op, overrideRecord(plan));
          stageRuns.set(op.stage, run.run_id);
          const final = await awaitRun(session, op, run.run_id, options);
          let fresh = '';
          if (op.refresh && op.refresh.length > 0) {
            await options.locks?.assertHeld();
            const layout = session.project.layouts[op.stage - 1]!;
            const { written, what } = await writeFreshEntriesAt(session.readers(op.location), {
              graph: session.project.graph,
              parameters: session.parameters,
              runId: run.run_id,
              steps: op.refresh,
              runTasks: layout.runTasks,
            });
            fresh = `; ${written} ${what} for ${op.refresh.join(', ')}`;
          }
          record(`run ${run.run_id} ${final.state?.toLowerCase()}${fresh}`, { runId: run.run_id });
          break;
        }
        case 'await-stage': {
          const runId = stageRuns.get(op.stage);
          if (!runId) throw new OperationError(op, 'no run to await');
          const final = await awaitRun(session, op, runId, options);
          record(`run ${runId} ${final.state?.toLowerCase()}`, { runId });
          break;
        }
        case 'verify-stage': {
          const runId = stageRuns.get(op.stage);
          if (!runId) throw new OperationError(op, 'no run to verify');
          const layout = session.project.layouts[op.stage - 1]!;
          const v = await verifyStage(session.readers(op.location), {
            location: op.location,
            runId,
            steps: layout.steps,
            fromCache: layout.fromCache,
            expectedFingerprints: expectedFingerprints(applied, op.stage),
          });
          if (!v.ok)
            throw new OperationError(op, `run ${runId} did not do what the plan said: ${v.problems.join('; ')}`);
          record(
            `${v.cached.length > 0 ? `cache hits: ${v.cached.join(', ')}; ` : ''}executed: ${v.executed.join(', ') || 'none'}`,
            { runId },
          );
          break;
        }
      }
    } catch (e) {
      const a: AppliedOperation = {
        id: op.id,
        kind: op.kind,
        stage: op.stage,
        location: op.location,
        status: 'failed',
        detail: (e as Error).message,
        durationMs: Date.now() - started,
      };
      if (op.from) a.from = op.from;
      applied.push(a);
      throw e instanceof OperationError || e instanceof LockLostError
        ? e
        : new OperationError(op, (e as Error).message, e);
    }
  }
  return applied;
}

function expectedFingerprints(applied: AppliedOperation[], stage: number): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const a of applied) {
    if (a.kind !== 'handoff' || a.stage !== stage || !a.handoff) continue;
    for (const e of a.handoff.executions) (out[e.key.split('/')[0]!.split('@')[0]!] ??= []).push(e.fingerprint);
  }
  return out;
}

async function uploadPipeline(session: ReconcileSession, location: string): Promise<string> {
  const { kfp } = session.client(location);
  const name = session.project.spec.metadata.name;
  const version = pipelineVersionName(name, session.project.revision.short);
  const text = session.project.graph.pkg.text;
  let pipeline = await kfp.getPipelineByName(name);
  if (!pipeline) {
    pipeline = await kfp.uploadPipeline(text, {
      name,
      displayName: name,
      description: `Split pipeline ${name} (split-pipelines); one version per revision.`,
    });
  }
  const existing = await kfp.listPipelineVersions(pipeline.pipeline_id, {
    filter: where(eq('name', version)),
    pageSize: 1,
  });
  if (existing.items.length > 0) return `pipeline ${name} version ${version} already uploaded`;
  await kfp.uploadPipelineVersion(text, {
    pipelineId: pipeline.pipeline_id,
    name: version,
    description: `revision ${session.project.revision.digest}`,
  });
  return `uploaded pipeline ${name} version ${version}`;
}

async function handoff(
  session: ReconcileSession,
  op: PlannedOperation,
  options: ExecuteOptions,
): Promise<HandoffReport> {
  const name = session.project.spec.metadata.name;
  return runHandoff({
    source: session.readers(op.from!),
    target: session.readers(op.location),
    graph: session.project.graph,
    parameters: session.parameters,
    steps: op.steps ?? [],
    recordsOnly: (op.artifacts ?? []).filter((a) => a.travels === 'records'),
    splitPipeline: name,
    revision: session.project.revision.short,
    experiment: session.experiment,
    markerRunName: markerRunName(name, session.project.revision.short, op.stage, op.from!),
    transfer: transferChoice(session, op, options),
    ...(session.project.spec.spec.data ? { data: session.project.spec.spec.data } : {}),
    ...markerOptions(
      session.project.spec.spec.locations.find((l) => l.name === op.location)?.kfp.markerImage,
      options.pollMs,
    ),
    // Between its phases (bytes, marker run, metadata) a handoff stops if the renewal saw the lock lost.
    onPhase: () => {
      const lost = options.locks?.lost();
      if (lost) throw lost;
    },
    onBytes: (p) =>
      options.onEvent?.({
        type: 'bytes',
        op,
        done: p.bytesMoved + p.bytesSkipped,
        total: p.bytes,
        moved: p.bytesMoved,
      }),
  });
}

/**
 * The handoff's stable id: the same split pipeline, revision, stage and pair give the same id, so an
 * engine that names its work by it (a Job) finds what a killed apply started. Readable where it fits,
 * with a digest of the whole so two handoffs never share an id (lower-case, at most 40 characters).
 */
export function handoffIdOf(splitPipeline: string, revision: string, stage: number, from: string, to: string): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([splitPipeline, revision, stage, from, to]))
    .digest('hex');
  const readable = `${revision}-${stage}-${from}-${to}`
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 30)
    .replace(/-+$/, '');
  return `${readable}-${digest.slice(0, 8)}`;
}

/**
 * The file's transfer settings for this handoff, its stable id, the Job engine and the locations'
 * Kubernetes clients (where a location's transfer.kubernetesJob runs the Job).
 */
function transferChoice(session: ReconcileSession, op: PlannedOperation, options: ExecuteOptions): TransferChoice {
  const spec = session.project.spec.spec;
  const at = (name: string | undefined) => spec.locations.find((l) => l.name === name)?.transfer;
  const source = at(op.from);
  const target = at(op.location);
  const sourceCluster = session.client(op.from!).kube;
  const targetCluster = session.client(op.location).kube;
  return {
    handoffId: handoffIdOf(
      session.project.spec.metadata.name,
      session.project.revision.short,
      op.stage,
      op.from!,
      op.location,
    ),
    ...(spec.transfer ? { spec: spec.transfer } : {}),
    ...(source ? { source } : {}),
    ...(target ? { target } : {}),
    engines: [kubernetesJobEngine(options.pollMs !== undefined ? { pollMs: Math.max(50, options.pollMs) } : {})],
    ...(sourceCluster ? { sourceCluster } : {}),
    ...(targetCluster ? { targetCluster } : {}),
  };
}

/** The target's marker image (kfp.markerImage) and the poll interval for its marker run. */
function markerOptions(
  image: string | undefined,
  pollMs: number | undefined,
): { markerImage?: string; pollMs?: number } {
  return { ...(image ? { markerImage: image } : {}), ...(pollMs !== undefined ? { pollMs } : {}) };
}

/** Soft policy failures overridden for this apply (who, why), recorded in the stage runs' descriptions at their locations. */
function overrideRecord(plan: PlanDocument): string {
  const overridden = (plan.policies?.results ?? []).flatMap((r) =>
    r.override ? [`${r.policy} on ${r.item} overridden by ${r.override.actor}: ${r.override.reason}`] : [],
  );
  return overridden.length > 0 ? ` Policy overrides: ${overridden.join('; ')}.` : '';
}

async function submitStage(session: ReconcileSession, op: PlannedOperation, policyRecord = ''): Promise<KfpRun> {
  const p = session.project;
  const { kfp } = session.client(op.location);
  const displayName = stageRunName(p.spec.metadata.name, p.revision.short, op.stage);
  // Re-check: a run submitted by an apply that was killed before it could record it. Runs of one
  // second are told apart by their sequence number (run-order.ts), which the new run continues.
  const earlier = (
    await kfp.listRuns({ filter: where(eq('display_name', displayName)), sortBy: 'created_at desc', pageSize: 20 })
  ).items;
  const existing = newestFirst(earlier)[0];
  if (
    existing &&
    (existing.state === 'PENDING' ||
      existing.state === 'RUNNING' ||
      existing.state === 'RUNTIME_STATE_UNSPECIFIED' ||
      existing.state === undefined)
  )
    return existing;
  const layout = p.layouts[op.stage - 1]!;
  const pruned = prunePipeline(p.graph, {
    keep: layout.steps,
    enableCaching: layout.enableCaching,
    disableCaching: op.refresh ?? [],
  });
  const pipelineSpec = pruned.platformSpec
    ? { pipeline_spec: pruned.spec, platform_spec: pruned.platformSpec }
    : pruned.spec;
  const experiment = await kfp.getOrCreateExperiment(session.experiment, {
    description: 'Runs of a split pipeline (split-pipelines)',
  });
  return kfp.createRun({
    displayName,
    description:
      `split-pipelines stage ${op.stage} of ${p.spec.metadata.name} at ${op.location}: ` +
      `runs ${layout.steps.join(', ')}${layout.fromCache.length ? `; ${layout.fromCache.join(', ')} from cache` : ''}. ` +
      `Revision ${p.revision.digest}.${policyRecord} ${stageRunSequenceTag(nextStageRunSequence(earlier))}`,
    experimentId: experiment.experiment_id,
    pipelineSpec: pipelineSpec as never,
    parameters: session.parameters,
    // Pinned: without it KFP uses kfp-launcher's defaultPipelineRoot (`2.17.0:backend/src/v2/driver/
    // root_dag.go:97-113`), which may not be the root the file configures and handoffs read and write.
    pipelineRoot: session.client(op.location).config.objectStore.pipelineRoot,
  });
}

async function awaitRun(
  session: ReconcileSession,
  op: PlannedOperation,
  runId: string,
  options: ExecuteOptions,
): Promise<KfpRun> {
  const { kfp } = session.client(op.location);
  const timeoutMs = options.runTimeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
  let last = '';
  const onState = (state: string) => {
    if (state === last) return;
    last = state;
    options.onEvent?.({ type: 'run-state', op, runId, state });
  };
  const { ended, run, state } = await waitForRunEnd(kfp, runId, { timeoutMs, pollMs: options.pollMs ?? 1000, onState });
  if (!ended) throw new OperationError(op, runTimeoutMessage(op.location, runId, state, timeoutMs));
  if (state !== 'SUCCEEDED') {
    const why = run.error?.message ? `: ${run.error.message}` : '';
    throw new OperationError(
      op,
      `run ${runId} ${state.toLowerCase()}${why}; fix the cause and apply again (the stage is submitted again)`,
    );
  }
  return run;
}

function runTimeoutMessage(location: string, runId: string, state: string, timeoutMs: number): string {
  return (
    `run ${runId} at ${location} is still ${state} after ${formatDuration(timeoutMs)} (the run timeout); ` +
    `apply stopped waiting and left it as it is. ` +
    `Look at the run in KFP at ${location} (a pod may wait for resources or an image). ` +
    `Apply again to keep waiting for it (apply finds it by name), ` +
    `or terminate it in KFP and apply again to run the stage anew; --run-timeout sets how long to wait ` +
    `(default ${formatDuration(DEFAULT_RUN_TIMEOUT_MS)}).`
  );
}
