// Which artifact KFP's importer would reuse at a location. With `reimport: false` the importer
// builds the artifact it would create and then reuses the first existing one that
// `FindMatchedArtifact` accepts (`2.17.0:backend/src/v2/component/importer_launcher.go:168-185`,
// `2.17.0:backend/src/v2/metadata/client.go:1303-1347`, the same at 2.14.0): candidates come from
// GetArtifactsByURI, and one matches when its type, state (LIVE) and URI are the same, EVERY custom
// property of the would-be artifact is present and equal on it, and it is attributed to the
// pipeline's `system.Pipeline` context (named `pipelineInfo.name`). The downstream cache keys hold
// that artifact's id, so observe, export and import must pick the very same one.
import type { Artifact, MlmdClient, Properties } from '../location/mlmd/index.js';
import { metadataValue, sameMlmdValue, stringValue } from '../location/mlmd/index.js';
import type { ImporterCall } from '../pipeline/driver/index.js';

/** The custom properties KFP's importer gives a new artifact, or why it refuses the spec. */
export function importerProperties(imp: ImporterCall): { properties: Properties } | { error: string } {
  const properties: Properties = {};
  // `StructValueToMLMDValue` (`2.17.0:backend/src/v2/metadata/converter.go:138-170`): numbers become
  // doubles, booleans ints 0/1, lists and structs are wrapped; null is refused.
  for (const [k, v] of Object.entries(imp.metadata ?? {})) {
    const value = metadataValue(v);
    if (!value) return { error: `importer metadata ${k} is null, which KFP's importer refuses` };
    properties[k] = value;
  }
  const scheme = /^([a-z0-9]+):\/\//.exec(imp.artifactUri)?.[1];
  // OCI artifacts get no session (`importer_launcher.go:262-275`).
  if (scheme === 'oci') return { properties };
  // `ParseBucketPathToConfig` knows these schemes (`2.17.0:backend/src/v2/objectstore/config.go:130-139`).
  if (!scheme || !['gs', 's3', 'minio', 'mem'].includes(scheme))
    return { error: `no provider scheme KFP knows in artifact URI ${imp.artifactUri}` };
  properties['store_session_info'] = stringValue(importerSessionInfo(scheme));
  return { properties };
}

/**
 * The session KFP's importer records for a URI of a provider it knows: "Assume all imported artifacts will rely
 * on execution environment" (`importer_launcher.go:280-294`), Go's encoding/json of SessionInfo{Provider, Params}.
 */
export function importerSessionInfo(scheme: string): string {
  return JSON.stringify({ Provider: scheme, Params: { fromEnv: 'true' } });
}

/** `FindMatchedArtifact`: the first candidate by URI (MLMD answers in id order) that matches. */
export async function findMatchedArtifact(
  mlmd: MlmdClient,
  wanted: { type: string; uri: string; customProperties: Properties },
  pipelineContextId: number,
): Promise<Artifact | undefined> {
  const candidates = (await mlmd.getArtifactsByURI([wanted.uri])).sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
  for (const c of candidates) {
    if (c.type !== wanted.type || (c.state ?? 'UNKNOWN') !== 'LIVE' || c.uri !== wanted.uri) continue;
    const props = c.customProperties ?? {};
    if (
      !Object.entries(wanted.customProperties).every(([k, v]) => props[k] !== undefined && sameMlmdValue(v, props[k]))
    )
      continue;
    const contexts = await mlmd.getContextsByArtifact(c.id!);
    if (contexts.some((ctx) => ctx.id === pipelineContextId)) return c;
  }
  return undefined;
}
