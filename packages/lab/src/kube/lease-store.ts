// The lab API server's storage: every Lease, plus one global resourceVersion counter (as etcd's
// revision), kept in a JSON file replaced atomically after each change. Update semantics follow
// kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go
// `Update` with the Lease strategy (pkg/registry/coordination/lease/strategy.go):
// `AllowUnconditionalUpdate` is false, so a PUT must carry `metadata.resourceVersion` (422
// otherwise) and a stale one is a 409 Conflict; `AllowCreateOnUpdate` is true, so a PUT to a
// missing name creates the Lease.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readStateFile, writeStateFile } from './state-file.js';
import { API_VERSION, decodeLease, formatTime, type Lease, type LeaseInput } from './lease-object.js';
import { alreadyExists, badRequest, conflict, deleted, invalid, notFound, type Status } from './status.js';

interface State {
  resourceVersion: number;
  leases: Lease[];
}

export interface DeletePreconditions {
  resourceVersion?: string;
  uid?: string;
}

const keyOf = (namespace: string, name: string) => `${namespace}/${name}`;

export class LeaseStore {
  private revision = 0;
  private readonly leases = new Map<string, Lease>();
  private readonly file: string;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, 'leases.json');
    const state = readStateFile<State>(this.file);
    if (state) {
      this.revision = state.resourceVersion;
      for (const lease of state.leases) this.leases.set(keyOf(lease.metadata.namespace, lease.metadata.name), lease);
    }
  }

  private persist(): void {
    const state: State = { resourceVersion: this.revision, leases: [...this.leases.values()] };
    writeStateFile(this.file, state, 2);
  }

  private commit(lease: Lease | undefined, namespace: string, name: string, dryRun: boolean): void {
    if (dryRun) return;
    if (lease) this.leases.set(keyOf(namespace, name), lease);
    else this.leases.delete(keyOf(namespace, name));
    this.persist();
  }

  get resourceVersion(): string {
    return String(this.revision);
  }

  list(namespace?: string): Lease[] {
    return [...this.leases.values()]
      .filter((l) => namespace === undefined || l.metadata.namespace === namespace)
      .sort((a, b) =>
        keyOf(a.metadata.namespace, a.metadata.name).localeCompare(keyOf(b.metadata.namespace, b.metadata.name)),
      );
  }

  get(namespace: string, name: string): Lease {
    const lease = this.leases.get(keyOf(namespace, name));
    if (!lease) throw notFound(name);
    return lease;
  }

  private checkNamespace(input: LeaseInput, namespace: string): void {
    if (input.metadata.namespace !== undefined && input.metadata.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
  }

  create(namespace: string, body: unknown, dryRun = false): Lease {
    const input = decodeLease(body, '');
    this.checkNamespace(input, namespace);
    let name = input.metadata.name;
    if (name === undefined && input.metadata.generateName !== undefined) {
      name = `${input.metadata.generateName}${randomBytes(3).toString('hex').slice(0, 5)}`;
    }
    if (name === undefined) {
      throw invalid('', [
        {
          reason: 'FieldValueRequired',
          field: 'metadata.name',
          message: 'Required value: name or generateName is required',
        },
      ]);
    }
    if (input.metadata.resourceVersion !== undefined) {
      throw badRequest('resourceVersion should not be set on objects to be created');
    }
    if (this.leases.has(keyOf(namespace, name))) throw alreadyExists(name);
    return this.store(namespace, name, input, undefined, dryRun);
  }

  private store(
    namespace: string,
    name: string,
    input: LeaseInput,
    current: Lease | undefined,
    dryRun: boolean,
  ): Lease {
    const revision = dryRun ? this.revision : ++this.revision;
    const lease: Lease = {
      kind: 'Lease',
      apiVersion: API_VERSION,
      metadata: {
        name,
        namespace,
        uid: current?.metadata.uid ?? randomUUID(),
        resourceVersion: String(revision),
        creationTimestamp: current?.metadata.creationTimestamp ?? formatTime(new Date()),
        ...(input.metadata.labels ? { labels: input.metadata.labels } : {}),
        ...(input.metadata.annotations ? { annotations: input.metadata.annotations } : {}),
      },
      spec: input.spec,
    };
    this.commit(lease, namespace, name, dryRun);
    return lease;
  }

  /** PUT: replaces the Lease (or creates it when missing). `created` tells which. */
  replace(namespace: string, name: string, body: unknown, dryRun = false): { lease: Lease; created: boolean } {
    const input = decodeLease(body, name);
    this.checkNamespace(input, namespace);
    if (input.metadata.name !== undefined && input.metadata.name !== name) {
      throw badRequest(`the name of the object (${input.metadata.name}) does not match the name on the URL (${name})`);
    }
    const current = this.leases.get(keyOf(namespace, name));
    if (current === undefined) return { lease: this.store(namespace, name, input, undefined, dryRun), created: true };
    const { resourceVersion, uid } = input.metadata;
    if (uid !== undefined && uid !== current.metadata.uid) {
      throw conflict(
        name,
        `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.metadata.uid}`,
      );
    }
    if (resourceVersion === undefined) {
      throw invalid(
        name,
        [
          {
            reason: 'FieldValueInvalid',
            field: 'metadata.resourceVersion',
            message: 'Invalid value: 0x0: must be specified for an update',
          },
        ],
        'leases',
      );
    }
    if (resourceVersion !== current.metadata.resourceVersion) throw conflict(name);
    return { lease: this.store(namespace, name, input, current, dryRun), created: false };
  }

  /**
   * Applies `patch` to the stored object, then stores the result as an update would. A patch is
   * conditional only if it sets metadata.resourceVersion itself.
   */
  patch(namespace: string, name: string, patch: (current: Lease) => unknown, dryRun = false): Lease {
    const current = this.get(namespace, name);
    const patched = patch(structuredClone(current));
    if (typeof patched !== 'object' || patched === null || Array.isArray(patched)) {
      throw badRequest('the patched object is not a JSON object');
    }
    const doc = patched as { metadata?: Record<string, unknown> };
    const meta = (doc.metadata ??= {});
    if (meta['name'] !== undefined && meta['name'] !== name) {
      throw invalid(name, [{ reason: 'FieldValueInvalid', field: 'metadata.name', message: 'field is immutable' }]);
    }
    if (meta['namespace'] !== undefined && meta['namespace'] !== namespace) {
      throw invalid(name, [
        { reason: 'FieldValueInvalid', field: 'metadata.namespace', message: 'field is immutable' },
      ]);
    }
    if (meta['resourceVersion'] === undefined || meta['resourceVersion'] === null) {
      meta['resourceVersion'] = current.metadata.resourceVersion;
    }
    return this.replace(namespace, name, doc, dryRun).lease;
  }

  delete(namespace: string, name: string, preconditions: DeletePreconditions = {}, dryRun = false): Status {
    const current = this.get(namespace, name);
    if (preconditions.uid !== undefined && preconditions.uid !== current.metadata.uid) {
      throw conflict(
        name,
        `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${current.metadata.uid}`,
      );
    }
    if (
      preconditions.resourceVersion !== undefined &&
      preconditions.resourceVersion !== current.metadata.resourceVersion
    ) {
      throw conflict(
        name,
        `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ` +
          `ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
      );
    }
    if (!dryRun) this.revision += 1;
    this.commit(undefined, namespace, name, dryRun);
    return deleted(name, current.metadata.uid);
  }
}
