/** What every route handler of the emulated API server gets. */
import type { JsonValue } from './proto-json.js';
import type { KfpLabStore } from './store.js';

/** The authenticated caller; `user` is unset in single-user mode. */
export interface Principal {
  user?: string;
}

export interface LabContext {
  store: KfpLabStore;
  kfpVersion: string;
  commitSha: string;
  multiUser: boolean;
  /** KFP's `REQUIRE_NAMESPACE_FOR_PIPELINES` (default false: shared pipelines allowed). */
  requireNamespaceForPipelines: boolean;
  /** `ResourceManager.ReplaceNamespace`: '' in single-user mode, the requested namespace otherwise. */
  namespaceOf(requested: string): string;
  /** Throws PERMISSION_DENIED when the caller may not use the namespace. */
  authorize(principal: Principal, namespace: string): void;
  /** Hands a stored run to the executor (after the response is sent). */
  startRun(runId: string): void;
  /** Tells the executor to stop a run the server has marked CANCELING. */
  terminateRun(runId: string): void;
}

export interface RequestContext {
  lab: LabContext;
  principal: Principal;
  query: URLSearchParams;
  /** Path parameters, in the order the route's pattern captures them. */
  params: string[];
  contentType: string;
  body(): Promise<Buffer>;
}

export interface Reply {
  status: number;
  body: JsonValue;
  /** Called after the response is written. */
  after?: () => void;
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE' | 'PATCH';
  pattern: RegExp;
  /**
   * The handler never asks who the caller is, so no credentials are needed even in multi-user mode:
   * KFP authenticates only inside `ResourceManager.IsAuthorized`
   * (`2.17.0:backend/src/apiserver/resource/resource_manager.go:2308-2340`), which such servers never call.
   */
  anonymous?: true;
  handle(ctx: RequestContext): Promise<Reply> | Reply;
}

export const ok = (body: JsonValue, after?: () => void): Reply =>
  after ? { status: 200, body, after } : { status: 200, body };

/** A path segment captured by a route pattern, URL-decoded. */
export function param(ctx: RequestContext, i: number): string {
  return decodeURIComponent(ctx.params[i] ?? '');
}
