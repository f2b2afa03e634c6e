// The lab API server's storage for what the transfer Job engine uses: batch/v1 Jobs, core/v1 Pods
// and Secrets, kept as the API server returns them, in one JSON file replaced atomically after
// each change (as leases.json), so a restarted lab answers with the same objects. One
// resourceVersion counter (etcd's revision) covers the three kinds; Leases keep their own file
// and counter (clients only compare resourceVersions of one object, so this is not observable).
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readStateFile, writeStateFile } from './state-file.js';
import { formatTime } from './lease-object.js';
import { badRequest, resourceErrors, type Status } from './status.js';

export type WorkloadKind = 'Job' | 'Pod' | 'Secret';

export interface ObjectMeta {
  name: string;
  namespace: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
}

export interface KubeObject {
  kind: WorkloadKind;
  apiVersion: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

interface State {
  resourceVersion: number;
  objects: KubeObject[];
}

export const KINDS: Record<WorkloadKind, { group: string; resource: string; apiVersion: string }> = {
  Job: { group: 'batch', resource: 'jobs', apiVersion: 'batch/v1' },
  Pod: { group: '', resource: 'pods', apiVersion: 'v1' },
  Secret: { group: '', resource: 'secrets', apiVersion: 'v1' },
};

export const errorsOf = (kind: WorkloadKind) => resourceErrors(KINDS[kind].group, KINDS[kind].resource);

const keyOf = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;

/** `labelSelector` equality terms (`a=b,c==d,e!=f`): what the engine and kubectl send. */
export function matchesSelector(labels: Record<string, string> | undefined, selector: string | null): boolean {
  if (selector === null || selector.trim() === '') return true;
  return selector.split(',').every((term) => {
    const neg = /^([^!=]+)!=(.*)$/.exec(term.trim());
    if (neg) return labels?.[neg[1]!.trim()] !== neg[2]!.trim();
    const eq = /^([^!=]+)==?(.*)$/.exec(term.trim());
    if (eq) return labels?.[eq[1]!.trim()] === eq[2]!.trim();
    const exists = /^!?([^!=]+)$/.exec(term.trim());
    if (exists)
      return term.trim().startsWith('!') ? labels?.[exists[1]!] === undefined : labels?.[exists[1]!] !== undefined;
    throw badRequest(`unable to parse requirement: ${term}`);
  });
}

export class WorkloadStore {
  private revision = 0;
  private readonly objects = new Map<string, KubeObject>();
  private readonly file: string;
  readonly dir: string;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.dir = dir;
    this.file = join(dir, 'workloads.json');
    const state = readStateFile<State>(this.file);
    if (state) {
      this.revision = state.resourceVersion;
      for (const o of state.objects) this.objects.set(keyOf(o.kind, o.metadata.namespace, o.metadata.name), o);
    }
  }

  get resourceVersion(): string {
    return String(this.revision);
  }

  private persist(): void {
    const state: State = { resourceVersion: this.revision, objects: [...this.objects.values()] };
    writeStateFile(this.file, state);
  }

  list(kind: WorkloadKind, namespace?: string, labelSelector: string | null = null): KubeObject[] {
    return [...this.objects.values()]
      .filter((o) => o.kind === kind && (namespace === undefined || o.metadata.namespace === namespace))
      .filter((o) => matchesSelector(o.metadata.labels, labelSelector))
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  }

  find(kind: WorkloadKind, namespace: string, name: string): KubeObject | undefined {
    return this.objects.get(keyOf(kind, namespace, name));
  }

  get(kind: WorkloadKind, namespace: string, name: string): KubeObject {
    const found = this.find(kind, namespace, name);
    if (!found) throw errorsOf(kind).notFound(name);
    return found;
  }

  /** Stores a new object: server-assigned metadata as the generic registry's `BeforeCreate` sets it. */
  create(kind: WorkloadKind, namespace: string, body: unknown, dryRun = false): KubeObject {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the body is not an object');
    const input = structuredClone(body) as Record<string, unknown> & {
      metadata?: Partial<ObjectMeta> & { generateName?: string };
    };
    const meta = input.metadata ?? {};
    if (meta.namespace !== undefined && meta.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    let name = meta.name;
    if (name === undefined && meta.generateName !== undefined)
      name = `${meta.generateName}${randomBytes(3).toString('hex').slice(0, 5)}`;
    if (name === undefined || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) || name.length > 253) {
      throw errorsOf(kind).invalid(name ?? '', kind, [
        {
          reason: name === undefined ? 'FieldValueRequired' : 'FieldValueInvalid',
          field: 'metadata.name',
          message:
            name === undefined
              ? 'Required value: name or generateName is required'
              : `Invalid value: "${name}": a lowercase RFC 1123 subdomain`,
        },
      ]);
    }
    if (meta.resourceVersion !== undefined)
      throw badRequest('resourceVersion should not be set on objects to be created');
    if (this.objects.has(keyOf(kind, namespace, name))) throw errorsOf(kind).alreadyExists(name);
    const { generateName: _drop, ...kept } = meta;
    void _drop;
    const object: KubeObject = {
      ...input,
      kind,
      apiVersion: KINDS[kind].apiVersion,
      metadata: {
        ...kept,
        name,
        namespace,
        uid: randomUUID(),
        resourceVersion: '',
        creationTimestamp: formatTime(new Date()),
        ...(kind === 'Job' ? { generation: 1 } : {}),
      },
    };
    if (dryRun) return { ...object, metadata: { ...object.metadata, resourceVersion: this.resourceVersion } };
    return this.put(object);
  }

  /** Writes a changed object (a controller's status update), bumping its resourceVersion. */
  put(object: KubeObject): KubeObject {
    object.metadata.resourceVersion = String(++this.revision);
    this.objects.set(keyOf(object.kind, object.metadata.namespace, object.metadata.name), object);
    this.persist();
    return object;
  }

  delete(kind: WorkloadKind, namespace: string, name: string, dryRun = false): Status {
    const current = this.get(kind, namespace, name);
    if (!dryRun) {
      this.revision += 1;
      this.objects.delete(keyOf(kind, namespace, name));
      this.persist();
    }
    return errorsOf(kind).deleted(name, current.metadata.uid);
  }
}
