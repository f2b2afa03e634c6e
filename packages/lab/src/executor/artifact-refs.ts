// Conversions between MLMD artifacts and the driver's runtime artifacts, as
// `backend/src/v2/metadata/converter.go` does them.
import type { ArtifactRef } from '../../../../src/pipeline/driver/index.js';
import type { JsonObject } from '../../../../src/pipeline/ir.js';
import { metadataValue, plainValue } from '../../../../src/location/mlmd/index.js';
import type { Artifact, Properties } from '../../../../src/location/mlmd/index.js';

/** `StructValueToMLMDValue`: numbers become doubles, booleans ints, lists and structs are wrapped. */
export function metadataToProperties(metadata: JsonObject | undefined): Properties {
  const out: Properties = {};
  for (const [k, v] of Object.entries(metadata ?? {})) {
    // `_kfp_workspace` is only needed at runtime (toMLMDArtifact).
    if (k === '_kfp_workspace') continue;
    const value = metadataValue(v);
    if (value) out[k] = value;
  }
  return out;
}

/** `toRuntimeArtifact`: `name` is the MLMD id; properties and custom properties become metadata. */
export function toArtifactRef(a: Artifact): ArtifactRef {
  const metadata: JsonObject = {};
  for (const props of [a.properties ?? {}, a.customProperties ?? {}]) {
    for (const [k, v] of Object.entries(props)) {
      const plain = plainValue(v);
      if (plain !== undefined) metadata[k] = plain;
    }
  }
  const ref: ArtifactRef = {
    id: String(a.id ?? 0),
    uri: a.uri ?? '',
    schemaTitle: a.type ?? 'system.Artifact',
    metadata,
  };
  return ref;
}
