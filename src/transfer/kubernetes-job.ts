// The `kubernetes-job` engine: a Job in the target's cluster (the source's when only it has
// `transfer.kubernetesJob`) runs rclone between the two stores; this process only creates the
// Job, watches it and reads its pods' logs when it fails. The Job is named for the handoff
// (kubernetes-job-spec.ts `jobNameOf`), so an apply killed while the Job copies finds it on the
// next run and goes on watching it: one Job per handoff. A Job left Failed by an earlier run, or
// one copying another manifest, is replaced (deleted with its pods, then created again). Objects
// whose copy a HEAD cannot verify (a source uploaded in parts) are read back by the Job, and the
// SHA-256s it prints are taken from its pod's log for verify.ts. While the Job copies, the tail of
// its running pod's log gives the bytes copied so far (rclone's JSON stats) to `onProgress`. Once
// the copy is verified (verify.ts, here, before anything is recorded) the Job is deleted with its
// pods (also when the copy does not verify: the next apply copies again); until then it stays, so
// an apply killed at any point finds it again. A Job nobody comes
// back for is removed by Kubernetes after `ttlSecondsAfterFinished`.
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { UserError } from '../errors/user-error.js';
import { KubeClient } from '../location/kube/client.js';
import { KubeJobClient } from '../location/kube/job-client.js';
import type {
  KubernetesJobSettings,
  TransferEngine,
  TransferManifest,
  TransferOptions,
  TransferResult,
  TransferRun,
  TransferSide,
} from './engine.js';
import {
  buildJob,
  copiedFromLog,
  copyGroups,
  DIGEST_MARKER,
  digestsFromLog,
  digestsNeeded,
  GROUP_MARKER,
  jobNameOf,
  MANIFEST_ANNOTATION,
  manifestDigest,
  rcloneLogLine,
} from './kubernetes-job-spec.js';
import { verifyTransfer } from './verify.js';

/** Lines of the running pod's log read for progress: enough to hold a stats line and a group marker. */
const PROGRESS_TAIL_LINES = 40;
const RCLONE_LEVELS: Record<string, string> = { error: 'ERROR', warning: 'NOTICE', info: 'INFO', debug: 'DEBUG' };

export interface KubernetesJobEngineOptions {
  /** Between two reads of the Job's status. Default 2 s. */
  pollMs?: number;
}

/** The side whose cluster runs the Job: the target's, else the source's. */
function runner(
  source: TransferSide,
  target: TransferSide,
): { side: TransferSide; settings: KubernetesJobSettings } | undefined {
  for (const side of [target, source]) {
    const settings = side.settings?.kubernetesJob;
    if (settings !== undefined && side.cluster instanceof KubeClient) return { side, settings };
  }
  return undefined;
}

function condition(job: V1Job | undefined, type: 'Complete' | 'Failed') {
  return job?.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

/** A container stuck before it starts (missing Secret, bad image): the kubelet's waiting reason. */
function stuck(pods: V1Pod[]): string | undefined {
  for (const pod of pods) {
    const waiting = pod.status?.containerStatuses?.[0]?.state?.waiting;
    if (
      waiting &&
      [
        'CreateContainerConfigError',
        'CreateContainerError',
        'InvalidImageName',
        'ErrImagePull',
        'ImagePullBackOff',
      ].includes(waiting.reason ?? '')
    ) {
      return `pod ${pod.metadata?.name ?? '?'}: ${waiting.reason ?? ''}: ${waiting.message ?? ''}`;
    }
  }
  return undefined;
}

/** The lines of rclone's log that say what went wrong (ERROR/NOTICE/Failed), else its last lines. */
export function summariseLog(log: string, max = 6): string {
  // rclone prefixes each line with a date and time (or, with --use-json-log, writes JSON with a level
  // and a message; its stats lines are progress, not causes) and repeats its errors per attempt:
  // keep each once. The script's own markers are not rclone's.
  const text = (l: string): string | undefined => {
    const json = rcloneLogLine(l);
    if (!json) return l.replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d\s+/, '').trim();
    if (json.stats !== undefined) return undefined;
    const level = RCLONE_LEVELS[json.level ?? ''] ?? (json.level ?? '').toUpperCase();
    return `${level} : ${(json.msg ?? '').trim()}`;
  };
  const lines = [
    ...new Set(
      log
        .split('\n')
        .map(text)
        .filter((l): l is string => Boolean(l))
        .filter((l) => !l.startsWith(GROUP_MARKER) && !l.startsWith(DIGEST_MARKER)),
    ),
  ]
    .filter((l) => !/^ERROR : Attempt \d+\/\d+ failed/.test(l))
    // The Job configures rclone by environment only: its notice about the missing config file is noise.
    .filter((l) => !/^NOTICE ?: Config file .* not found - using defaults$/.test(l));
  const errors = lines.filter((l) =>
    /ERROR|Failed|failed|denied|InvalidAccessKeyId|SignatureDoesNotMatch|NoSuchBucket|NOTICE/.test(l),
  );
  const picked = (errors.length > 0 ? errors : lines).slice(-max);
  return picked.map((l) => (l.length > 300 ? `${l.slice(0, 300)}…` : l)).join(' | ');
}

export class KubernetesJobError extends UserError {
  constructor(location: string, job: string, cause: string) {
    super(`location ${location}: transfer job ${job} failed: ${cause}`, {
      code: 'transfer-job-failed',
      location,
      operation: 'transfer',
      advice:
        `read the Job's pod logs (kubectl -n ${job.split('/')[0] ?? ''} logs -l job-name=${job.split('/')[1] ?? ''}), ` +
        "check the Secrets named in the locations' transfer.kubernetesJob.credentialsSecret " +
        'and that both buckets are reachable from the cluster (the next apply replaces a failed Job)',
    });
    this.name = 'KubernetesJobError';
  }
}

export function kubernetesJobEngine(options: KubernetesJobEngineOptions = {}): TransferEngine {
  const pollMs = options.pollMs ?? 2000;
  return {
    name: 'kubernetes-job',
    usable(source, target) {
      // A location that lists its engines without this one keeps its bytes out of any Job.
      const refusing = [source, target].find((s) => s.settings?.engines?.includes('kubernetes-job') === false);
      if (refusing)
        return { usable: false, reason: `transfer.engines of ${refusing.location} does not list kubernetes-job` };
      const run = runner(source, target);
      if (!run)
        return {
          usable: false,
          reason: 'neither location has transfer.kubernetesJob settings and a cluster (kubeconfig)',
        };
      if (!/@sha256:[0-9a-f]{64}$/.test(run.settings.image)) {
        return {
          usable: false,
          reason: `the Job image of ${run.side.location} is not pinned by digest (repo@sha256:…)`,
        };
      }
      return { usable: true };
    },
    async startOrResume(manifest, opts = {}) {
      const run = runner(manifest.source, manifest.target);
      if (!run)
        throw new UserError(`handoff ${manifest.handoffId}: no location has transfer.kubernetesJob and a cluster`, {
          code: 'transfer-job-config',
          operation: 'transfer',
        });
      const client = new KubeJobClient(run.side.cluster as KubeClient);
      const namespace = run.settings.namespace ?? client.kube.namespace;
      const name = jobNameOf(manifest.handoffId);
      const digest = manifestDigest(manifest);
      let job = await client.readJob(namespace, name);
      let resumed = job !== undefined;
      if (job && (condition(job, 'Failed') || job.metadata?.annotations?.[MANIFEST_ANNOTATION] !== digest)) {
        await client.deleteJob(namespace, name);
        job = undefined;
        resumed = false;
      }
      if (!job) {
        const body = buildJob({
          manifest,
          settings: run.settings,
          namespace,
          source: manifest.source.settings?.kubernetesJob,
          target: manifest.target.settings?.kubernetesJob,
        });
        // 409: another apply created it between our read and create: watch that one.
        if ((await client.createJob(namespace, body)) === undefined) resumed = true;
      }
      const location = run.side.location;
      return {
        resumed,
        watch: () => watchJob(client, { namespace, name, location, pollMs, resumed }, manifest, opts),
      } satisfies TransferRun;
    },
  };
}

/**
 * The SHA-256s the Job computed (kubernetes-job-spec.ts `digestsNeeded`), read from the log of its
 * pod that succeeded; empty when no object needed them.
 */
async function measuredDigests(
  client: KubeJobClient,
  w: Watched,
  manifest: TransferManifest,
): Promise<Map<string, { target?: string; source?: string }>> {
  if (!manifest.objects.some((o) => digestsNeeded(o).target)) return new Map();
  const pods = await client.podsOf(w.namespace, w.name);
  const pod = pods.find((p) => p.status?.phase === 'Succeeded');
  if (!pod?.metadata?.name) return new Map();
  const l = await client.podLog(w.namespace, pod.metadata.name, null);
  return digestsFromLog(l, copyGroups(manifest.objects));
}

interface Watched {
  namespace: string;
  name: string;
  location: string;
  pollMs: number;
  resumed: boolean;
}

async function watchJob(
  client: KubeJobClient,
  w: Watched,
  manifest: TransferManifest,
  opts: TransferOptions,
): Promise<TransferResult> {
  const bytes = manifest.objects.reduce((n, o) => n + o.size, 0);
  const progress = {
    objects: manifest.objects.length,
    objectsDone: 0,
    bytes,
    bytesDone: 0,
    bytesMoved: 0,
    bytesSkipped: 0,
  };
  opts.onProgress?.({ ...progress });
  const id = `${w.namespace}/${w.name}`;
  const groups = copyGroups(manifest.objects);
  let group = 0;
  for (;;) {
    opts.signal?.throwIfAborted();
    const job = await client.readJob(w.namespace, w.name);
    if (!job) throw new KubernetesJobError(w.location, id, 'the Job was deleted while it was watched');
    if (condition(job, 'Complete')) break;
    const failed = condition(job, 'Failed');
    const pods = failed || (job.status?.active ?? 0) > 0 ? await client.podsOf(w.namespace, w.name) : [];
    const blocked = stuck(pods);
    if (failed || blocked) {
      const last = [...pods].reverse().find((p) => p.status?.phase === 'Failed') ?? pods[pods.length - 1];
      const log = last?.metadata?.name ? summariseLog(await client.podLog(w.namespace, last.metadata.name)) : '';
      const why = failed ? `${failed.reason ?? 'Failed'}: ${failed.message ?? ''}` : (blocked ?? '');
      const what = `copying ${manifest.source.location} → ${manifest.target.location}: ${why}`;
      throw new KubernetesJobError(w.location, id, [what, log && `rclone: ${log}`].filter(Boolean).join('; '));
    }
    // Bytes copied so far, from the running pod's log; never shown going back (a retried pod
    // starts its count again, skipping what the earlier one copied).
    const running = [...pods].reverse().find((p) => p.status?.phase === 'Running')?.metadata?.name;
    if (opts.onProgress && running) {
      const seen = copiedFromLog(await client.podLog(w.namespace, running, PROGRESS_TAIL_LINES), groups, group);
      group = seen.group;
      if (seen.bytes !== undefined && seen.bytes > progress.bytesDone) {
        progress.bytesDone = Math.min(seen.bytes, bytes);
        opts.onProgress({ ...progress });
      }
    }
    await new Promise<void>((resolve) => setTimeout(resolve, w.pollMs));
  }
  progress.objectsDone = progress.objects;
  progress.bytesDone = bytes;
  opts.onProgress?.({ ...progress });
  const digests = await measuredDigests(client, w, manifest);
  const result: TransferResult = {
    engine: 'kubernetes-job',
    objects: manifest.objects.length,
    copied: manifest.objects.length,
    skipped: 0,
    bytesCopied: bytes,
    bytesMovedByReconciler: 0,
    written: manifest.objects.map((o) => {
      const d = digests.get(`${o.target.bucket}/${o.target.key}`);
      return {
        artifact: o.artifact,
        path: o.path,
        target: o.target,
        size: o.size,
        ...(o.sha256 ? { sha256: o.sha256 } : {}),
        ...(d?.target ? { targetSha256: d.target } : {}),
        ...(d?.source ? { sourceSha256: d.source } : {}),
        skipped: false,
      };
    }),
    resumed: w.resumed,
    detail: `job ${id} at ${w.location}`,
  };
  // The Job goes only once its copy was checked: an apply killed before this point finds it on the
  // next run and checks again. A copy that does not verify is not kept either, so the next apply
  // copies again with a new Job (what the verification error advises).
  try {
    await verifyTransfer(manifest, result);
  } finally {
    await client.deleteJob(w.namespace, w.name);
  }
  return result;
}
