// The product's client for batch/v1 Jobs and their pods at one location (the kubernetes-job
// transfer engine): thin, typed wrappers of @kubernetes/client-node 1.4 (object-style parameters)
// that turn failures into KubeErrors naming the location, the operation and the object.
import { BatchV1Api, CoreV1Api, type V1Job, type V1Pod } from '@kubernetes/client-node';
import type { KubeClient } from './client.js';
import { statusOf, toKubeError } from './errors.js';

export class KubeJobClient {
  private readonly batch: BatchV1Api;
  private readonly core: CoreV1Api;
  readonly location: string;

  constructor(readonly kube: KubeClient) {
    this.location = kube.location;
    this.batch = kube.kubeConfig.makeApiClient(BatchV1Api);
    this.core = kube.kubeConfig.makeApiClient(CoreV1Api);
  }

  /** The Job, or undefined when it does not exist. */
  async readJob(namespace: string, name: string): Promise<V1Job | undefined> {
    try {
      return await this.batch.readNamespacedJob({ name, namespace });
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw toKubeError(err, this.location, 'read-job', `job ${namespace}/${name}`);
    }
  }

  /** Creates the Job; undefined when one of that name already exists (409 AlreadyExists). */
  async createJob(namespace: string, body: V1Job): Promise<V1Job | undefined> {
    try {
      return await this.batch.createNamespacedJob({ namespace, body });
    } catch (err) {
      if (statusOf(err) === 409) return undefined;
      throw toKubeError(err, this.location, 'create-job', `job ${namespace}/${body.metadata?.name ?? '?'}`);
    }
  }

  /** Deletes the Job and its pods (`Background`: the Job goes at once, its pods after). */
  async deleteJob(namespace: string, name: string): Promise<void> {
    try {
      await this.batch.deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' });
    } catch (err) {
      if (statusOf(err) === 404) return;
      throw toKubeError(err, this.location, 'delete-job', `job ${namespace}/${name}`);
    }
  }

  /** The Job's pods, oldest first (label `job-name`, set by the Job controller). */
  async podsOf(namespace: string, job: string): Promise<V1Pod[]> {
    try {
      const list = await this.core.listNamespacedPod({ namespace, labelSelector: `job-name=${job}` });
      return [...list.items].sort(
        (a, b) => (a.metadata?.creationTimestamp?.getTime() ?? 0) - (b.metadata?.creationTimestamp?.getTime() ?? 0),
      );
    } catch (err) {
      throw toKubeError(err, this.location, 'list-pods', `pods of job ${namespace}/${job}`);
    }
  }

  /** The last `tailLines` lines of a pod's log, or all of it with `tailLines` null ('' when it has none yet). */
  async podLog(namespace: string, pod: string, tailLines: number | null = 40): Promise<string> {
    try {
      return await this.core.readNamespacedPodLog({
        name: pod,
        namespace,
        ...(tailLines !== null ? { tailLines } : {}),
      });
    } catch (err) {
      if (statusOf(err) === 404) return '';
      throw toKubeError(err, this.location, 'read-log', `log of pod ${namespace}/${pod}`);
    }
  }
}
