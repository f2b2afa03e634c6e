// The product's Kubernetes client for one location: Leases through CoordinationV1Api
// (@kubernetes/client-node 1.4, object-style parameters). Thin and typed; locking policy lives in
// lease-lock.ts.
import { CoordinationV1Api, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { buildKubeConfig, contextNamespace, type KubeConnection } from './config.js';
import { statusOf, toKubeError } from './errors.js';
import { LeaseLock } from './lease-lock.js';

export interface KubeClientConfig {
  /** The location's name, used in every error message. */
  location: string;
  connection: KubeConnection;
  /** Default namespace for leases; else the context's namespace, else `default`. */
  namespace?: string;
}

export class KubeClient {
  readonly location: string;
  readonly namespace: string;
  readonly kubeConfig: KubeConfig;
  private readonly coordination: CoordinationV1Api;

  constructor(config: KubeClientConfig) {
    this.location = config.location;
    this.kubeConfig = buildKubeConfig(config.location, config.connection);
    this.namespace = config.namespace ?? contextNamespace(this.kubeConfig) ?? 'default';
    this.coordination = this.kubeConfig.makeApiClient(CoordinationV1Api);
  }

  /** The Lease, or undefined when it does not exist. */
  async readLease(name: string, namespace = this.namespace): Promise<V1Lease | undefined> {
    try {
      return await this.coordination.readNamespacedLease({ name, namespace });
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw toKubeError(err, this.location, 'read-lease', `lease ${namespace}/${name}`);
    }
  }

  /** Creates a Lease; a 409 AlreadyExists surfaces as a KubeError with status 409. */
  async createLease(body: V1Lease, namespace = this.namespace): Promise<V1Lease> {
    try {
      return await this.coordination.createNamespacedLease({ namespace, body });
    } catch (err) {
      throw toKubeError(err, this.location, 'create-lease', `lease ${namespace}/${body.metadata?.name ?? '?'}`);
    }
  }

  /** Replaces a Lease; with `metadata.resourceVersion` set, a stale version gives a 409 Conflict. */
  async replaceLease(body: V1Lease, namespace = this.namespace): Promise<V1Lease> {
    const name = body.metadata?.name ?? '';
    try {
      return await this.coordination.replaceNamespacedLease({ name, namespace, body });
    } catch (err) {
      throw toKubeError(err, this.location, 'update-lease', `lease ${namespace}/${name}`);
    }
  }

  /** A lock on the Lease `name` (created on first acquire). */
  leaseLock(name: string, namespace = this.namespace): LeaseLock {
    return new LeaseLock(this, name, namespace);
  }
}
