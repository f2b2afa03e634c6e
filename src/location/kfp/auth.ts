/**
 * Where a location's KFP bearer token comes from. Each provider says where it reads (for error
 * messages: "check the token in $KFP_TRAIN_TOKEN") and never exposes the token itself.
 *
 * In a cluster the KFP SDK reads a projected service-account token from
 * `/var/run/secrets/kubeflow/pipelines/token`, overridable with `KF_PIPELINES_SA_TOKEN_PATH`
 * (`sdk/python/kfp/client/set_volume_credentials.py` `ServiceAccountTokenVolumeCredentials`), and
 * re-reads it because the kubelet rotates it; the file provider does the same.
 */
import { readFile } from 'node:fs/promises';
import { UserError } from '../../errors/user-error.js';

export const IN_CLUSTER_TOKEN_PATH = '/var/run/secrets/kubeflow/pipelines/token';
export const IN_CLUSTER_TOKEN_PATH_ENV = 'KF_PIPELINES_SA_TOKEN_PATH';

export interface TokenProvider {
  /** Where the token is read from, e.g. `$KFP_TRAIN_TOKEN` or `file /run/token`. Never the token. */
  readonly source: string;
  /** The current token; rejects with a message saying what to set when it is missing. */
  getToken(): Promise<string>;
}

/** No KFP token to send (the providers do not know the location: the client names it when it wraps this). */
export class TokenUnavailableError extends UserError {
  constructor(message: string) {
    super(message, { code: 'token-unavailable', operation: 'read-token' });
    this.name = 'TokenUnavailableError';
  }
}

export function tokenFromEnv(name: string, env: NodeJS.ProcessEnv = process.env): TokenProvider {
  return {
    source: `$${name}`,
    getToken: async () => {
      const token = env[name]?.trim();
      if (!token)
        throw new TokenUnavailableError(
          `the environment variable ${name} is not set or empty: export the location's KFP token in it`,
        );
      return token;
    },
  };
}

export function tokenFromFile(path: string, label = `file ${path}`): TokenProvider {
  return {
    source: label,
    getToken: async () => {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? 'error';
        throw new TokenUnavailableError(
          `cannot read the token from ${label} (${code}): check the path and its permissions`,
        );
      }
      const token = text.trim();
      if (!token) throw new TokenUnavailableError(`the token ${label} is empty`);
      return token;
    },
  };
}

/** The projected service-account token the KFP SDK uses inside a cluster. */
export function inClusterToken(env: NodeJS.ProcessEnv = process.env): TokenProvider {
  const override = env[IN_CLUSTER_TOKEN_PATH_ENV];
  const path = override || IN_CLUSTER_TOKEN_PATH;
  return tokenFromFile(
    path,
    override ? `file ${path} (from $${IN_CLUSTER_TOKEN_PATH_ENV})` : `service-account token file ${path}`,
  );
}

export function staticToken(token: string, source = 'the configured token'): TokenProvider {
  return { source, getToken: async () => token };
}
