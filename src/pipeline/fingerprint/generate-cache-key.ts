// KFP's `CacheKey` message (`api/v2alpha1/cache_key.proto`) in the JSON form `protojson.Marshal` gives
// it, and `GenerateCacheKey` from `backend/src/v2/cacheutils/cache.go`, which fills it.
//
// protojson writes lowerCamelCase JSON names and omits unpopulated fields: empty strings, empty repeated
// fields, empty maps and unset messages. It keeps set messages even when they are empty (so
// `"containerSpec":{}` and a map entry `"x":{}` appear) and keeps a oneof member that is set even to "".
// Map entries are always written.

import type { JsonObject, JsonValue } from './json-value.js';

/** `ArtifactTypeSchema` (`api/v2alpha1/pipeline_spec.proto`): one kind, plus an optional version. */
export type ArtifactTypeSchema = {
  schemaTitle?: string;
  instanceSchema?: string;
  /** Deprecated in the proto, still part of the oneof. */
  schemaUri?: string;
  schemaVersion?: string;
};

/** An output `RuntimeArtifact` as it enters the key: the URI is wiped, the rest kept. */
export type CacheKeyRuntimeArtifact = {
  name?: string;
  type?: ArtifactTypeSchema;
  /** google.protobuf.Struct. Present means emitted, even when empty. */
  metadata?: JsonObject;
};

/** The protojson form of `CacheKey`, before Go's encoding/json re-serialises it. */
export type CacheKeyJson = {
  inputArtifactNames?: Record<string, { artifactNames?: string[] }>;
  inputParameterValues?: Record<string, JsonValue>;
  outputArtifactsSpec?: Record<string, CacheKeyRuntimeArtifact>;
  outputParametersSpec?: Record<string, string>;
  containerSpec?: { image?: string; cmdArgs?: string[]; pvcNames?: string[] };
};

/** The arguments of `GenerateCacheKey`, already reduced to what it reads. */
export interface GenerateCacheKeyArgs {
  /** `inputs.artifacts`: input name → each artifact's `name`, which for inputs is the MLMD artifact id. */
  inputArtifactNames: Record<string, readonly string[]>;
  /** `inputs.parameterValues`. */
  inputParameterValues: Record<string, JsonValue>;
  /** `outputs.artifacts`, first artifact of each list (the Go code ignores the rest). */
  outputArtifacts: Record<string, CacheKeyRuntimeArtifact>;
  /** `outputs.parameters` names mapped through `outputParametersTypeMap`. */
  outputParameterTypes: Record<string, string>;
  cmdArgs: readonly string[];
  image: string;
  /** Kept in the given order: sorting is the driver's job (`backend/src/v2/driver/cache.go`). */
  pvcNames?: readonly string[];
}

/** The inconsistency that makes `GenerateCacheKey` or protojson fail. */
export class CacheKeyError extends Error {
  override readonly name = 'CacheKeyError';
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`cannot build the KFP cache key at ${path}: ${detail}`);
  }
}

/** Mirror of `GenerateCacheKey`: the key as protojson would print it (unpopulated fields left out). */
export function generateCacheKey(args: GenerateCacheKeyArgs): CacheKeyJson {
  const key: CacheKeyJson = {};

  const inputArtifactNames: Record<string, { artifactNames?: string[] }> = {};
  for (const [name, ids] of Object.entries(args.inputArtifactNames)) {
    inputArtifactNames[name] = ids.length > 0 ? { artifactNames: [...ids] } : {};
  }
  if (Object.keys(inputArtifactNames).length > 0) key.inputArtifactNames = inputArtifactNames;

  if (Object.keys(args.inputParameterValues).length > 0) key.inputParameterValues = { ...args.inputParameterValues };

  const outputArtifactsSpec: Record<string, CacheKeyRuntimeArtifact> = {};
  for (const [name, artifact] of Object.entries(args.outputArtifacts)) {
    outputArtifactsSpec[name] = runtimeArtifactJson(artifact, `outputArtifactsSpec.${name}`);
  }
  if (Object.keys(outputArtifactsSpec).length > 0) key.outputArtifactsSpec = outputArtifactsSpec;

  if (Object.keys(args.outputParameterTypes).length > 0) key.outputParametersSpec = { ...args.outputParameterTypes };

  // ContainerSpec is always a non-nil message, so it is always emitted, possibly as `{}`.
  const containerSpec: NonNullable<CacheKeyJson['containerSpec']> = {};
  if (args.image !== '') containerSpec.image = args.image;
  if (args.cmdArgs.length > 0) containerSpec.cmdArgs = [...args.cmdArgs];
  if (args.pvcNames && args.pvcNames.length > 0) containerSpec.pvcNames = [...args.pvcNames];
  key.containerSpec = containerSpec;

  return key;
}

function runtimeArtifactJson(artifact: CacheKeyRuntimeArtifact, path: string): CacheKeyRuntimeArtifact {
  const out: CacheKeyRuntimeArtifact = {};
  if (artifact.name !== undefined && artifact.name !== '') out.name = artifact.name;
  if (artifact.type !== undefined) out.type = artifactTypeJson(artifact.type, `${path}.type`);
  if (artifact.metadata !== undefined) out.metadata = artifact.metadata;
  return out;
}

function artifactTypeJson(type: ArtifactTypeSchema, path: string): ArtifactTypeSchema {
  const out: ArtifactTypeSchema = {};
  const kinds = (['schemaTitle', 'schemaUri', 'instanceSchema'] as const).filter((kind) => type[kind] !== undefined);
  if (kinds.length > 1) {
    throw new CacheKeyError(
      path,
      `an ArtifactTypeSchema holds one of schemaTitle/schemaUri/instanceSchema, got ${kinds.join(' and ')}`,
    );
  }
  const kind = kinds[0];
  if (kind !== undefined) out[kind] = type[kind]; // oneof member: written even when ""
  if (type.schemaVersion !== undefined && type.schemaVersion !== '') out.schemaVersion = type.schemaVersion;
  return out;
}
