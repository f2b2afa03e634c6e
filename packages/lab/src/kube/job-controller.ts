// The lab's Job controller and kubelet in one: a batch/v1 Job's pod runs its (single) container's
// command on this machine as a child process of the lab, with the environment its env / envFrom
// Secrets give, so a Job goes on when the client that created it dies. Status moves as
// kubernetes/kubernetes pkg/controller/job/job_controller.go (v1.34) moves it:
// - `status.startTime` and `active` when the first pod is created; pods labelled `job-name`,
//   `batch.kubernetes.io/job-name`, `controller-uid`, `batch.kubernetes.io/controller-uid`
//   (pkg/controller/job/util + pkg/apis/batch/types.go label constants), named `<job>-<5 chars>`;
// - a pod exiting 0 gives `succeeded`, then conditions `SuccessCriteriaMet` and `Complete`
//   with `completionTime` (1.31+ adds the interim condition: job_controller.go `enactJobFinished`);
// - a failing pod counts in `failed`; above `spec.backoffLimit` (default 6) the Job gets
//   `FailureTarget` then `Failed`, reason `BackoffLimitExceeded`, message "Job has reached the
//   specified backoff limit"; otherwise a new pod replaces it. Kubernetes waits 10s·2^n before
//   that pod (DefaultJobPodFailureBackOff); the lab starts it at once (tests must not wait);
// - past `spec.activeDeadlineSeconds` from startTime, active pods are killed and the Job Failed
//   with reason `DeadlineExceeded`, message "Job was active longer than specified deadline".
// A container whose Secret is missing stays Pending in `CreateContainerConfigError`, as the
// kubelet leaves it (pkg/kubelet/kuberuntime: `secret "x" not found`).
// Finished Jobs with `spec.ttlSecondsAfterFinished` are deleted as the TTL-after-finished controller
// deletes them (pkg/controller/ttlafterfinished/ttlafterfinished_controller.go): the clock starts at
// the `lastTransitionTime` of the Complete or Failed condition (`jobFinishTime`), and at expiry the
// Job is deleted with `propagationPolicy: Foreground` and a UID precondition (`processJob`), so its
// pods go first and a Job created again under the name is not touched; a Job finished before a lab
// restart is deleted at the same time after it. The deletion is audited as that controller's user.
// The lab has one node, `lab`. Cordoned (`kubectl cordon lab`: PATCH spec.unschedulable), new pods
// stay Pending with condition PodScheduled=False, reason Unschedulable, as the scheduler leaves them
// (pkg/scheduler/framework/plugins/nodeunschedulable: "node(s) were unschedulable"); uncordoned,
// they are scheduled and run. Tests hold a Job's copy this way, without sleeping.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditLog } from './audit-log.js';
import { formatTime } from './lease-object.js';
import { readStateFile, writeStateFile } from './state-file.js';
import type { KubeObject, WorkloadStore } from './workload-store.js';

export const NODE_NAME = 'lab';
const UNSCHEDULABLE_MESSAGE = '0/1 nodes are available: 1 node(s) were unschedulable.';

interface NodeState {
  uid: string;
  creationTimestamp: string;
  resourceVersion: number;
  unschedulable: boolean;
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
}
interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  envFrom?: { secretRef?: { name: string; optional?: boolean }; prefix?: string }[];
}
interface JobSpec {
  backoffLimit?: number;
  activeDeadlineSeconds?: number;
  ttlSecondsAfterFinished?: number;
  template: { metadata?: { labels?: Record<string, string> }; spec: { containers: Container[]; [k: string]: unknown } };
}
interface Condition {
  type: string;
  status: 'True' | 'False';
  reason?: string;
  message?: string;
  lastProbeTime: string;
  lastTransitionTime: string;
}
export interface JobStatus {
  startTime?: string;
  completionTime?: string;
  active?: number;
  succeeded?: number;
  failed?: number;
  ready?: number;
  terminating?: number;
  conditions?: Condition[];
}

const specOf = (job: KubeObject) => job['spec'] as JobSpec;
const statusOf = (job: KubeObject) => (job['status'] ??= {}) as JobStatus;
const now = () => formatTime(new Date());

function finished(job: KubeObject): boolean {
  return (statusOf(job).conditions ?? []).some(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
}

/** A pod the scheduler has not bound to the node yet (it waits while the node is cordoned). */
function unscheduled(pod: KubeObject): boolean {
  const phase = (pod['status'] as { phase?: string } | undefined)?.phase;
  return phase === 'Pending' && (pod['spec'] as { nodeName?: string } | undefined)?.nodeName === undefined;
}

function condition(type: string, reason?: string, message?: string): Condition {
  const t = now();
  return {
    type,
    status: 'True',
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
    lastProbeTime: t,
    lastTransitionTime: t,
  };
}

const TTL_CONTROLLER_USER = 'system:serviceaccount:kube-system:ttl-after-finished-controller';

export class JobController {
  private readonly processes = new Map<string, ChildProcess>();
  private readonly deadlines = new Map<string, NodeJS.Timeout>();
  private readonly expiries = new Map<string, NodeJS.Timeout>();
  private readonly logDir: string;
  private readonly nodeFile: string;
  private nodeState: NodeState;

  constructor(
    private readonly store: WorkloadStore,
    private readonly audit?: AuditLog,
  ) {
    this.logDir = join(store.dir, 'pod-logs');
    mkdirSync(this.logDir, { recursive: true });
    this.nodeFile = join(store.dir, 'node.json');
    this.nodeState = readStateFile<NodeState>(this.nodeFile) ?? {
      uid: randomUUID(),
      creationTimestamp: now(),
      resourceVersion: 1,
      unschedulable: false,
    };
  }

  /** The lab's one node, as `GET /api/v1/nodes/lab` shows it. */
  node(): Record<string, unknown> {
    const n = this.nodeState;
    return {
      kind: 'Node',
      apiVersion: 'v1',
      metadata: {
        name: NODE_NAME,
        uid: n.uid,
        resourceVersion: String(n.resourceVersion),
        creationTimestamp: n.creationTimestamp,
        labels: { 'kubernetes.io/hostname': NODE_NAME, 'kubernetes.io/os': process.platform },
      },
      spec: n.unschedulable
        ? {
            unschedulable: true,
            // The node lifecycle controller's taint for a cordoned node (pkg/apis/core/v1 TaintNodeUnschedulable).
            taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: now() }],
          }
        : {},
      status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] },
    };
  }

  /** Cordons (true) or uncordons the node; uncordoned, the pods waiting for it are scheduled and run. */
  setUnschedulable(value: boolean): void {
    this.nodeState = { ...this.nodeState, unschedulable: value, resourceVersion: this.nodeState.resourceVersion + 1 };
    writeStateFile(this.nodeFile, this.nodeState);
    if (value) return;
    for (const pod of this.store.list('Pod')) if (unscheduled(pod)) this.run(pod);
  }

  /** After a restart of the lab: pods whose process died with it failed (their node went away); Jobs go on. */
  resume(): void {
    for (const pod of this.store.list('Pod')) {
      const phase = (pod['status'] as { phase?: string } | undefined)?.phase;
      if (unscheduled(pod)) {
        if (!this.nodeState.unschedulable) this.run(pod);
        continue;
      }
      if (phase === 'Running' || phase === 'Pending') this.podEnded(pod, 137, 'the lab restarted while the pod ran');
    }
    for (const job of this.store.list('Job')) {
      if (!finished(job)) this.reconcile(job.metadata.namespace, job.metadata.name);
      else this.expireLater(job);
    }
  }

  logFile(namespace: string, pod: string): string {
    return join(this.logDir, `${namespace}_${pod}.log`);
  }

  /** A Job was created: start its first pod and its deadline. */
  created(job: KubeObject): void {
    this.reconcile(job.metadata.namespace, job.metadata.name);
  }

  /** A Job was deleted: its pods are deleted too unless orphaned (propagationPolicy). */
  deleted(job: KubeObject, orphan: boolean): void {
    const key = `${job.metadata.namespace}/${job.metadata.name}`;
    clearTimeout(this.deadlines.get(key));
    this.deadlines.delete(key);
    clearTimeout(this.expiries.get(key));
    this.expiries.delete(key);
    for (const pod of this.podsOf(job)) {
      if (orphan) continue;
      this.kill(pod);
      this.store.delete('Pod', pod.metadata.namespace, pod.metadata.name);
    }
  }

  close(): void {
    for (const t of this.deadlines.values()) clearTimeout(t);
    for (const t of this.expiries.values()) clearTimeout(t);
    for (const p of this.processes.values()) p.kill('SIGKILL');
  }

  private podsOf(job: KubeObject): KubeObject[] {
    return this.store.list('Pod', job.metadata.namespace, `controller-uid=${job.metadata.uid}`);
  }

  private kill(pod: KubeObject): void {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    this.processes.get(key)?.kill('SIGKILL');
    this.processes.delete(key);
  }

  private reconcile(namespace: string, name: string): void {
    const job = this.store.find('Job', namespace, name);
    if (!job || finished(job)) return;
    const spec = specOf(job);
    const status = statusOf(job);
    const pods = this.podsOf(job);
    const phaseOf = (p: KubeObject) => (p['status'] as { phase?: string } | undefined)?.phase;
    const active = pods.filter((p) => phaseOf(p) === 'Pending' || phaseOf(p) === 'Running');
    status.failed = pods.filter((p) => phaseOf(p) === 'Failed').length || undefined;
    status.succeeded = pods.filter((p) => phaseOf(p) === 'Succeeded').length || undefined;
    status.startTime ??= now();
    const key = `${namespace}/${name}`;
    if (spec.activeDeadlineSeconds !== undefined && !this.deadlines.has(key)) {
      const left = Date.parse(status.startTime) + spec.activeDeadlineSeconds * 1000 - Date.now();
      this.deadlines.set(
        key,
        setTimeout(() => this.deadlineExceeded(namespace, name), Math.max(0, left)),
      );
    }
    const fail = (reason: string, message: string) => {
      for (const p of active) {
        this.kill(p);
        this.setPod(p, 'Failed', 137, 'DeadlineExceeded');
      }
      status.failed = (status.failed ?? 0) + active.length || undefined;
      status.conditions = [
        ...(status.conditions ?? []),
        condition('FailureTarget', reason, message),
        condition('Failed', reason, message),
      ];
      status.active = 0;
      this.finish(job);
    };
    if ((status.succeeded ?? 0) > 0) {
      status.active = 0;
      status.completionTime = now();
      status.conditions = [
        ...(status.conditions ?? []),
        condition('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods'),
        condition('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods'),
      ];
      this.finish(job);
      return;
    }
    if ((status.failed ?? 0) > (spec.backoffLimit ?? 6)) {
      fail('BackoffLimitExceeded', 'Job has reached the specified backoff limit');
      return;
    }
    if (active.length === 0) {
      this.startPod(job);
      status.active = 1;
    } else status.active = active.length;
    this.store.put(job);
  }

  private finish(job: KubeObject): void {
    const key = `${job.metadata.namespace}/${job.metadata.name}`;
    clearTimeout(this.deadlines.get(key));
    this.deadlines.delete(key);
    this.store.put(job);
    this.expireLater(job);
  }

  /** A finished Job with a TTL: deleted (Foreground) once `ttlSecondsAfterFinished` passed its finish. */
  private expireLater(job: KubeObject): void {
    const ttl = specOf(job).ttlSecondsAfterFinished;
    const end = (statusOf(job).conditions ?? []).find(
      (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
    );
    if (ttl === undefined || !end) return;
    const { namespace, name, uid } = job.metadata;
    const key = `${namespace}/${name}`;
    clearTimeout(this.expiries.get(key));
    const left = Date.parse(end.lastTransitionTime) + ttl * 1000 - Date.now();
    this.expiries.set(
      key,
      setTimeout(() => this.expire(namespace, name, uid), Math.max(0, left)),
    );
  }

  private expire(namespace: string, name: string, uid: string): void {
    this.expiries.delete(`${namespace}/${name}`);
    const job = this.store.find('Job', namespace, name);
    // The precondition: only the Job whose TTL this was (not one created again under its name).
    if (!job || job.metadata.uid !== uid || !finished(job)) return;
    const received = new Date();
    // Foreground: the dependents (pods) are deleted before their owner.
    this.deleted(job, false);
    this.store.delete('Job', namespace, name);
    this.audit?.record({
      verb: 'delete',
      requestURI: `/apis/batch/v1/namespaces/${namespace}/jobs/${name}`,
      user: TTL_CONTROLLER_USER,
      objectRef: { resource: 'jobs', namespace, name, apiGroup: 'batch', apiVersion: 'v1' },
      code: 200,
      received,
    });
  }

  private deadlineExceeded(namespace: string, name: string): void {
    const job = this.store.find('Job', namespace, name);
    this.deadlines.delete(`${namespace}/${name}`);
    if (!job || finished(job)) return;
    const status = statusOf(job);
    const active = this.podsOf(job).filter((p) =>
      ['Pending', 'Running'].includes((p['status'] as { phase?: string }).phase ?? ''),
    );
    for (const p of active) {
      this.kill(p);
      this.setPod(p, 'Failed', 137, 'DeadlineExceeded');
    }
    status.failed = (status.failed ?? 0) + active.length || undefined;
    status.active = 0;
    const message = 'Job was active longer than specified deadline';
    status.conditions = [
      ...(status.conditions ?? []),
      condition('FailureTarget', 'DeadlineExceeded', message),
      condition('Failed', 'DeadlineExceeded', message),
    ];
    this.store.put(job);
    this.expireLater(job);
  }

  private setPod(
    pod: KubeObject,
    phase: string,
    exitCode?: number,
    reason?: string,
    waiting?: { reason: string; message: string },
  ): void {
    const current = this.store.find('Pod', pod.metadata.namespace, pod.metadata.name);
    if (!current) return;
    const container = (current['spec'] as { containers: Container[] }).containers[0]!;
    const state =
      waiting !== undefined
        ? { waiting }
        : exitCode === undefined
          ? phase === 'Running'
            ? { running: { startedAt: now() } }
            : { waiting: { reason: 'ContainerCreating' } }
          : { terminated: { exitCode, reason: reason ?? (exitCode === 0 ? 'Completed' : 'Error'), finishedAt: now() } };
    current['status'] = {
      ...(current['status'] as object),
      phase,
      containerStatuses: [
        { name: container.name, image: container.image ?? '', ready: phase === 'Running', restartCount: 0, state },
      ],
    };
    this.store.put(current);
  }

  private podEnded(pod: KubeObject, exitCode: number, message?: string): void {
    this.setPod(pod, exitCode === 0 ? 'Succeeded' : 'Failed', exitCode, message ? 'Error' : undefined);
    const owner = pod.metadata.labels?.['job-name'];
    if (owner !== undefined) this.reconcile(pod.metadata.namespace, owner);
  }

  /** The container's environment, or the kubelet's `CreateContainerConfigError` message. */
  private environment(namespace: string, container: Container, home: string): Record<string, string> | string {
    // A pod does not inherit the node's environment: only PATH (to find the command) and HOME.
    const env: Record<string, string> = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home };
    const secretData = (name: string): Record<string, string> | undefined => {
      const secret = this.store.find('Secret', namespace, name);
      if (!secret) return undefined;
      const data = (secret['data'] ?? {}) as Record<string, string>;
      return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
    };
    for (const from of container.envFrom ?? []) {
      if (!from.secretRef) continue;
      const data = secretData(from.secretRef.name);
      if (!data) {
        if (from.secretRef.optional) continue;
        return `secret "${from.secretRef.name}" not found`;
      }
      for (const [k, v] of Object.entries(data)) env[`${from.prefix ?? ''}${k}`] = v;
    }
    for (const e of container.env ?? []) {
      const ref = e.valueFrom?.secretKeyRef;
      if (!ref) {
        env[e.name] = e.value ?? '';
        continue;
      }
      const data = secretData(ref.name);
      if (!data) {
        if (ref.optional) continue;
        return `secret "${ref.name}" not found`;
      }
      if (data[ref.key] === undefined) {
        if (ref.optional) continue;
        return `couldn't find key ${ref.key} in Secret ${namespace}/${ref.name}`;
      }
      env[e.name] = data[ref.key]!;
    }
    return env;
  }

  private startPod(job: KubeObject): void {
    const spec = specOf(job);
    const { namespace, name, uid } = job.metadata;
    const labels = {
      ...(spec.template.metadata?.labels ?? {}),
      'batch.kubernetes.io/controller-uid': uid,
      'batch.kubernetes.io/job-name': name,
      'controller-uid': uid,
      'job-name': name,
    };
    const podName = `${name.slice(0, 57)}-${randomBytes(4).toString('hex').slice(0, 5)}`;
    const pod = this.store.create('Pod', namespace, {
      metadata: {
        name: podName,
        labels,
        ownerReferences: [
          { apiVersion: 'batch/v1', kind: 'Job', name, uid, controller: true, blockOwnerDeletion: true },
        ],
      },
      spec: { ...spec.template.spec, restartPolicy: spec.template.spec['restartPolicy'] ?? 'Never' },
      status: { phase: 'Pending' },
    });
    if (this.nodeState.unschedulable) {
      const t = now();
      pod['status'] = {
        phase: 'Pending',
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message: UNSCHEDULABLE_MESSAGE,
            lastProbeTime: null,
            lastTransitionTime: t,
          },
        ],
      };
      this.store.put(pod);
      return;
    }
    this.run(pod);
  }

  /** Binds the pod to the node and runs its container (the scheduler, then the kubelet). */
  private run(scheduled: KubeObject): void {
    const { namespace, name: podName } = scheduled.metadata;
    const pod = this.store.find('Pod', namespace, podName);
    if (!pod) return;
    const t = now();
    pod['spec'] = { ...(pod['spec'] as object), nodeName: NODE_NAME };
    pod['status'] = {
      phase: 'Pending',
      startTime: t,
      conditions: [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: t }],
    };
    this.store.put(pod);
    const container = (pod['spec'] as { containers?: Container[] }).containers?.[0];
    const argv = [...(container?.command ?? []), ...(container?.args ?? [])];
    const home = join(this.logDir, `${namespace}_${podName}.home`);
    mkdirSync(home, { recursive: true });
    const env = container ? this.environment(namespace, container, home) : 'the pod has no container';
    if (typeof env === 'string') {
      this.setPod(pod, 'Pending', undefined, undefined, { reason: 'CreateContainerConfigError', message: env });
      return;
    }
    if (argv.length === 0) {
      this.setPod(pod, 'Pending', undefined, undefined, {
        reason: 'CreateContainerError',
        message: 'the lab runs only containers with a command',
      });
      return;
    }
    const log = createWriteStream(this.logFile(namespace, podName));
    const child = spawn(argv[0]!, argv.slice(1), { env, cwd: home, stdio: ['ignore', 'pipe', 'pipe'] });
    const key = `${namespace}/${podName}`;
    this.processes.set(key, child);
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    let ended = false;
    const end = (code: number) => {
      if (ended) return;
      ended = true;
      const mine = this.processes.get(key) === child;
      this.processes.delete(key);
      log.end(() => {
        const current = this.store.find('Pod', namespace, podName);
        const phase = (current?.['status'] as { phase?: string } | undefined)?.phase;
        // Killed by a deadline or a delete: that path already set the pod's state.
        if (current && mine && (phase === 'Running' || phase === 'Pending')) this.podEnded(current, code);
      });
    };
    child.on('error', (err) => {
      log.write(`${err.message}\n`);
      end(127);
    });
    child.on('close', (code, signal) => end(code ?? (signal ? 137 : 1)));
    this.setPod(pod, 'Running');
  }
}
