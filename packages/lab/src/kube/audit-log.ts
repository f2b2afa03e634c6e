// The lab API server's audit log: one `audit.k8s.io/v1` Event per JSON line in `<dir>/audit.log`,
// as kube-apiserver writes with `--audit-log-path` and `--audit-log-format=json` under a policy of
// `level: Metadata` for writes (create, update, patch, delete) and nothing for reads
// (staging/src/k8s.io/apiserver/pkg/apis/audit/v1/types.go `Event`). Controllers that write through
// the API server appear with their own users, as the TTL-after-finished controller does
// (`system:serviceaccount:kube-system:ttl-after-finished-controller`). Tests read it to count what
// was created and deleted after the objects themselves are gone (one Job per handoff).
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AuditEvent {
  kind: 'Event';
  apiVersion: 'audit.k8s.io/v1';
  level: 'Metadata';
  auditID: string;
  stage: 'ResponseComplete';
  requestURI: string;
  verb: string;
  user: { username: string };
  userAgent?: string;
  objectRef?: { resource: string; namespace?: string; name?: string; apiGroup?: string; apiVersion: string };
  responseStatus: { metadata: Record<string, never>; code: number };
  requestReceivedTimestamp: string;
  stageTimestamp: string;
}

const VERBS: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** The write verbs the policy logs; reads are not. */
export function auditVerb(method: string): string | undefined {
  return VERBS[method];
}

/** `resource`, `namespace`, `name` of a namespaced API path (`/api/v1/…`, `/apis/<group>/<v>/…`). */
export function objectRefOf(path: string): AuditEvent['objectRef'] | undefined {
  const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?/.exec(path);
  if (!m) return undefined;
  return {
    resource: m[5]!,
    ...(m[4] !== undefined ? { namespace: decodeURIComponent(m[4]) } : {}),
    ...(m[6] !== undefined ? { name: decodeURIComponent(m[6]) } : {}),
    ...(m[2] !== undefined ? { apiGroup: m[2] } : {}),
    apiVersion: m[1] ?? m[3]!,
  };
}

export class AuditLog {
  readonly file: string;

  constructor(dir: string) {
    this.file = join(dir, 'audit.log');
  }

  record(e: {
    verb: string;
    requestURI: string;
    user: string;
    userAgent?: string;
    objectRef?: AuditEvent['objectRef'];
    code: number;
    received: Date;
  }): void {
    const event: AuditEvent = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'Metadata',
      auditID: randomUUID(),
      stage: 'ResponseComplete',
      requestURI: e.requestURI,
      verb: e.verb,
      user: { username: e.user },
      ...(e.userAgent !== undefined ? { userAgent: e.userAgent } : {}),
      ...(e.objectRef ? { objectRef: e.objectRef } : {}),
      responseStatus: { metadata: {}, code: e.code },
      requestReceivedTimestamp: e.received.toISOString(),
      stageTimestamp: new Date().toISOString(),
    };
    appendFileSync(this.file, `${JSON.stringify(event)}\n`);
  }
}
