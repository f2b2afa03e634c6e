/**
 * Telling the KFP API server from the Kubeflow Pipelines UI (`ml-pipeline-ui`, the `/pipeline` path of
 * a Kubeflow gateway). The UI forwards only `/apis/v1beta1/*` and `/apis/v2beta1/*` to the API server
 * (`2.17.0:frontend/server/app.ts:371-419`, the same at 2.14.0), so the cache table
 * `/apis/v1alpha1/tasks` is unreachable through it and Express answers 404; and it answers healthz
 * itself, as `{apiServerTagName, frontendTagName, multi_user, …}` without `tag_name`
 * (`app.ts:139-156`, `handlers/healthz.ts:22-32,73-95`). The version is never taken from the UI's
 * answer: only the API server's own `tag_name` (or the file's `kfp.version`) decides the cache key.
 */
import { KfpError } from './errors.js';
import type { JsonObject } from './wire.js';

/** Fields only the UI's healthz has (handlers/healthz.ts `HealthzStats`). */
const UI_HEALTHZ_FIELDS = ['apiServerTagName', 'frontendTagName', 'frontendCommitHash', 'apiServerReady'];

/** True when a healthz answer is the UI's own rather than the API server's. */
export function isUiHealthz(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const h = body as JsonObject;
  return !('tag_name' in h) && UI_HEALTHZ_FIELDS.some((f) => f in h);
}

/**
 * A 404 on the task API that did not come from the API server's grpc-gateway (which would answer a
 * `google.rpc.Status` with a gRPC code; the route always exists there): a proxy or the UI answered.
 */
export function isForeignTaskApi404(e: unknown): e is KfpError {
  return e instanceof KfpError && e.status === 404 && e.grpcCode === undefined;
}

export interface GatewayErrorContext {
  location: string;
  operation: string;
  endpoint: string;
  /** What showed it: the UI's healthz, or a task API call answered 404 by something other than KFP. */
  evidence: { healthz: true } | { taskApi404: string };
  /** The location sends a user-id header, which Istio refuses on direct calls to the API server. */
  sendsUserIdHeader?: boolean;
}

/** `Cannot GET /pipeline/apis/v1alpha1/tasks` out of Express's 404 page, when that is what answered. */
function expressMessage(detail: string): string | undefined {
  return /Cannot [A-Z]+ \S+?(?=<|\s|$)/.exec(detail)?.[0];
}

/** The error for a location whose `kfp.endpoint` is the Kubeflow UI; it says what to set instead. */
export function uiGatewayError(c: GatewayErrorContext): KfpError {
  const what =
    'healthz' in c.evidence
      ? `${c.endpoint} is the Kubeflow Pipelines UI (ml-pipeline-ui, e.g. the /pipeline path of a Kubeflow gateway), not the KFP API server: ` +
        'its healthz has apiServerTagName/frontendTagName and no tag_name'
      : `${c.endpoint} is not the KFP API server: /apis/v1alpha1/tasks ` +
        `answered HTTP 404 (${expressMessage(c.evidence.taskApi404) ?? 'not a KFP status'}), ` +
        'as the Kubeflow Pipelines UI (ml-pipeline-ui, the /pipeline path of a Kubeflow gateway) does';
  const userId = c.sendsUserIdHeader
    ? ' Remove kfp.userIdHeader: in multi-user Kubeflow, Istio refuses direct calls to ml-pipeline that carry a kubeflow-userid header;' +
      ' authenticate with kfp.auth (a ServiceAccount token with audience pipelines.kubeflow.org) instead.'
    : '';
  return new KfpError({
    location: c.location,
    operation: c.operation,
    kind: 'invalid-response',
    detail:
      `${what}. The UI forwards only /apis/v1beta1 and /apis/v2beta1, so the cache table /apis/v1alpha1/tasks cannot be reached ` +
      "through it, and the KFP version is never read from the UI's answer",
    hint:
      "Point kfp.endpoint at the API server's own HTTP port: http://ml-pipeline.kubeflow:8888 from inside the cluster " +
      '(the ml-pipeline service in the namespace KFP is installed in), or run ' +
      '`kubectl port-forward -n kubeflow svc/ml-pipeline 8888:8888` and use http://localhost:8888.' +
      userId,
    attempts: 1,
  });
}
