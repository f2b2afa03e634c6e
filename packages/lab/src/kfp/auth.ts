/**
 * Multi-user mode of the emulated API server. KFP authenticates a request either by a trusted
 * user-id header (set by Istio, `KUBEFLOW_USERID_HEADER`) or by a bearer token it sends to a
 * Kubernetes TokenReview (`backend/src/apiserver/auth/auth.go` `GetAuthenticators`). The lab
 * replaces the TokenReview by a fixed token → user table. Messages never repeat the token.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { permissionDenied, unauthenticated } from './api-error.js';
import type { Principal } from './context.js';

export interface MultiUserOptions {
  /** Bearer token → user name. */
  tokens: Record<string, string>;
  /** When given, the only namespaces a caller may use; others are PERMISSION_DENIED. */
  namespaces?: string[];
  /**
   * A header trusted as the user identity, as KFP trusts `kubeflow-userid` set by Istio for the UI. Off by
   * default: direct callers may not send it in Kubeflow (`2.17.0:manifests/kustomize/base/installs/
   * multi-user/istio-authorization-config.yaml:46-49` admits them only without the header).
   */
  userIdHeader?: string;
  /** KFP's `REQUIRE_NAMESPACE_FOR_PIPELINES`; default false (shared pipelines allowed). */
  requireNamespaceForPipelines?: boolean;
}

const BEARER = 'Bearer ';

export function authenticate(headers: IncomingHttpHeaders, opts: MultiUserOptions): Principal {
  if (opts.userIdHeader) {
    const user = headers[opts.userIdHeader.toLowerCase()];
    if (typeof user === 'string' && user !== '') return { user };
  }
  const authorization = headers.authorization;
  if (authorization === undefined || authorization === '') {
    throw unauthenticated('Request header error: there is no user identity header or Authorization bearer token');
  }
  if (!authorization.startsWith(BEARER))
    throw unauthenticated('Request header error: the Authorization header is not of the form "Bearer <token>"');
  const token = authorization.slice(BEARER.length).trim();
  const user = Object.prototype.hasOwnProperty.call(opts.tokens, token) ? opts.tokens[token] : undefined;
  if (user === undefined) throw unauthenticated('Request header error: Failed to review the token provided');
  return { user };
}

export function authorize(principal: Principal, namespace: string, opts: MultiUserOptions): void {
  if (opts.namespaces && !opts.namespaces.includes(namespace)) {
    throw permissionDenied(`User '${principal.user ?? ''}' is not authorized to access namespace '${namespace}'`);
  }
}
