/**
 * Pipeline packages as the API server reads them: one YAML/JSON stream holding a `PipelineSpec`
 * document and optionally a `PlatformSpec` document (`backend/src/apiserver/template/v2_template.go`
 * `NewV2SpecTemplate`), returned as `pipeline_spec` either bare or as
 * `{pipeline_spec, platform_spec}` when there is a platform spec
 * (`backend/src/apiserver/server/api_util.go` `YamlStringToPipelineSpecStruct`).
 */
import jsYaml from 'js-yaml';
import { parseAllDocuments } from 'yaml';
import { invalidArgument } from './api-error.js';
import { isJsonObject, type JsonObject } from './proto-json.js';

export interface PipelinePackage {
  pipelineSpec: JsonObject;
  platformSpec?: JsonObject;
}

function pipelineName(doc: JsonObject): string {
  const info = doc['pipelineInfo'] ?? doc['pipeline_info'];
  const name = isJsonObject(info) ? info['name'] : undefined;
  return typeof name === 'string' ? name : '';
}

/** `template.go` `isPipelineSpec`: a document with a pipeline name and a root component. */
function isPipelineSpec(doc: JsonObject): boolean {
  return pipelineName(doc) !== '' && isJsonObject(doc['root']);
}

/** `v2_template.go` `IsPlatformSpecWithKubernetesConfig`. */
function isPlatformSpec(doc: JsonObject): boolean {
  const platforms = doc['platforms'];
  return isJsonObject(platforms) && isJsonObject(platforms['kubernetes']);
}

/** The checks `NewV2SpecTemplate` makes before it accepts a pipeline spec. */
function validatePipelineSpec(spec: JsonObject): void {
  const invalid = (why: string) => invalidArgument(`Invalid pipeline spec: ${why}`);
  const schemaVersion = spec['schemaVersion'] ?? spec['schema_version'];
  if (schemaVersion !== '2.1.0') throw invalid(`KFP only supports schema version 2.1.0, but the pipeline spec has version ${String(schemaVersion ?? '')}`);
  const name = pipelineName(spec);
  if (name === '') throw invalid('invalid v2 pipeline spec: name is empty');
  // The real check is an unanchored regexp.MatchString, so it only needs one matching character.
  if (!/[a-z0-9]/.test(name)) {
    throw invalid("invalid v2 pipeline spec: name should consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character");
  }
  if (!isJsonObject(spec['root'])) throw invalid('invalid v2 pipeline spec: root component is empty');
}

function fromDocuments(docs: unknown[]): PipelinePackage {
  let pipelineSpec: JsonObject | undefined;
  let platformSpec: JsonObject | undefined;
  for (const doc of docs) {
    if (!isJsonObject(doc)) continue;
    if (isPipelineSpec(doc)) {
      if (pipelineSpec) throw invalidArgument('Invalid pipeline spec: multiple pipeline specs provided');
      validatePipelineSpec(doc);
      pipelineSpec = doc;
    } else if (isPlatformSpec(doc)) {
      if (platformSpec) throw invalidArgument('Invalid platform spec: multiple platform specs provided');
      platformSpec = doc;
    }
  }
  if (!pipelineSpec) throw invalidArgument('Invalid pipeline spec: no pipeline spec is provided');
  return platformSpec ? { pipelineSpec, platformSpec } : { pipelineSpec };
}

/**
 * Reads the documents of a package. The KFP SDK writes YAML with PyYAML, which emits a few forms
 * strict YAML 1.2 parsers refuse (continuation lines of a quoted scalar indented like the `- ` of
 * their sequence); the API server's Go YAML reader accepts them, so a lenient reader is the fallback.
 */
function readDocuments(text: string): unknown[] {
  const strict = parseAllDocuments(text);
  const docs = Array.isArray(strict) ? strict : [strict];
  const firstError = docs.flatMap((d) => d.errors)[0];
  if (!firstError) return docs.map((d) => d.toJS({ maxAliasCount: 1000 }) as unknown);
  try {
    return jsYaml.loadAll(text, undefined, { schema: jsYaml.CORE_SCHEMA });
  } catch {
    throw invalidArgument(`Invalid pipeline spec: unable to decode yaml document: ${firstError.message.split('\n')[0] ?? ''}`);
  }
}

/** Parses an uploaded package (YAML or JSON, one or two documents). */
export function parsePipelinePackage(text: string): PipelinePackage {
  return fromDocuments(readDocuments(text));
}

/** A `pipeline_spec` Struct sent with a run: either the bare spec or `{pipeline_spec, platform_spec}`. */
export function packageFromStruct(struct: JsonObject): PipelinePackage {
  const inner = struct['pipeline_spec'];
  if (isJsonObject(inner)) {
    const platform = struct['platform_spec'];
    return fromDocuments(isJsonObject(platform) ? [inner, platform] : [inner]);
  }
  return fromDocuments([struct]);
}

/** The `pipeline_spec` Struct the API returns for a stored package. */
export function packageToStruct(pkg: PipelinePackage): JsonObject {
  return pkg.platformSpec ? { pipeline_spec: pkg.pipelineSpec, platform_spec: pkg.platformSpec } : pkg.pipelineSpec;
}
