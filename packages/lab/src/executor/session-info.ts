// `store_session_info`: the JSON of `objectstore.SessionInfo{Provider, Params}` that KFP records on
// the run context and on every output artifact (`backend/src/v2/driver/root_dag.go`,
// `metadata/client.go` RecordArtifact), and that its UI uses to open an artifact. Go's encoding/json
// writes the struct fields in order and the Params map with sorted keys.
import type { StorageScheme } from '../../../../src/location/objectstore/index.js';

function goJson(provider: string, params: Record<string, string>): string {
  const sorted = Object.fromEntries(Object.entries(params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return JSON.stringify({ Provider: provider, Params: sorted });
}

/**
 * The session of the location's own store. For a `minio://` root KFP uses its default MinIO session
 * (`getDefaultMinioSessionInfo` in `backend/src/v2/config/env.go`); the lab names its own endpoint
 * there instead of `minio-service.kubeflow:9000`, so the session says where the bytes really are.
 */
export function storeSessionInfo(scheme: StorageScheme, endpointHostPort: string, region: string): string {
  if (scheme === 'minio') {
    return goJson('minio', {
      accessKeyKey: 'accesskey',
      disableSSL: 'true',
      endpoint: endpointHostPort,
      fromEnv: 'false',
      maxRetries: '5',
      region: 'minio',
      secretKeyKey: 'secretkey',
      secretName: 'mlpipeline-minio-artifact',
    });
  }
  return goJson(scheme, {
    disableSSL: 'true',
    endpoint: endpointHostPort,
    forcePathStyle: 'true',
    fromEnv: 'false',
    region,
  });
}

/** What the importer records: "Assume all imported artifacts will rely on execution environment"
 * (`backend/src/v2/component/importer_launcher.go`). */
export function importedSessionInfo(provider: string): string {
  return goJson(provider, { fromEnv: 'true' });
}
