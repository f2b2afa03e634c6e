/**
 * Pipeline packages as the API server reads them: one YAML/JSON stream holding a `PipelineSpec`
 * document and optionally a `PlatformSpec` document (`backend/src/apiserver/template/v2_template.go`
 * `NewV2SpecTemplate`), returned as `pipeline_spec` either bare or as
 * `{pipeline_spec, platform_spec}` when there is a platform spec
 * (`backend/src/apiserver/server/api_util.go` `YamlStringToPipelineSpecStruct`).
 */
import jsYaml from 'js-yaml';
import { parseAllDocuments } from 'yaml';
import { refusedBy } from '../../../../src/pipeline/kfp-package-check.js';
import { readPipelineSpecJson, readPlatformSpecJson } from '../../../../src/pipeline/protojson-read.js';
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

/**
 * `template.go` `isPipelineSpec` (2.17.0:backend/src/apiserver/template/template.go:93-101): a document
 * that protojson reads as a PipelineSpec of this release — DiscardUnknown is false, so one key the
 * release does not know makes it no pipeline spec at all — with a pipeline name and a root component.
 */
function isPipelineSpec(doc: JsonObject, kfpVersion: string): boolean {
  if (refusedBy(readPipelineSpecJson(doc).kfpFields, kfpVersion).length > 0) return false;
  return pipelineName(doc) !== '' && isJsonObject(doc['root']);
}

/**
 * `v2_template.go` `IsPlatformSpecWithKubernetesConfig` (2.17.0:backend/src/apiserver/template/
 * v2_template.go:428-440): also a strict protojson read, so a platform spec with a key this release
 * does not know is not recognised, and NewV2SpecTemplate passes over it without a word (:216).
 */
function isPlatformSpec(doc: JsonObject, kfpVersion: string): boolean {
  const platforms = doc['platforms'];
  if (!isJsonObject(platforms) || !isJsonObject(platforms['kubernetes'])) return false;
  return refusedBy(readPlatformSpecJson(doc).kfpFields, kfpVersion).length === 0;
}

/** The checks `NewV2SpecTemplate` makes before it accepts a pipeline spec. */
function validatePipelineSpec(spec: JsonObject): void {
  const invalid = (why: string) => invalidArgument(`Invalid pipeline spec: ${why}`);
  const schemaVersion = spec['schemaVersion'] ?? spec['schema_version'];
  if (schemaVersion !== '2.1.0') {
    const version = typeof schemaVersion === 'string' ? schemaVersion : JSON.stringify(schemaVersion ?? '');
    throw invalid(`KFP only supports schema version 2.1.0, but the pipeline spec has version ${version}`);
  }
  const name = pipelineName(spec);
  if (name === '') throw invalid('invalid v2 pipeline spec: name is empty');
  // The real check is an unanchored regexp.MatchString, so it only needs one matching character.
  if (!/[a-z0-9]/.test(name)) {
    throw invalid(
      "invalid v2 pipeline spec: name should consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
    );
  }
  if (!isJsonObject(spec['root'])) throw invalid('invalid v2 pipeline spec: root component is empty');
}

function fromDocuments(docs: unknown[], kfpVersion: string): PipelinePackage {
  let pipelineSpec: JsonObject | undefined;
  let platformSpec: JsonObject | undefined;
  for (const doc of docs) {
    if (!isJsonObject(doc)) continue;
    if (isPipelineSpec(doc, kfpVersion)) {
      if (pipelineSpec) throw invalidArgument('Invalid pipeline spec: multiple pipeline specs provided');
      validatePipelineSpec(doc);
      pipelineSpec = doc;
    } else if (isPlatformSpec(doc, kfpVersion)) {
      if (platformSpec) throw invalidArgument('Invalid platform spec: multiple platform specs provided');
      platformSpec = doc;
    }
  }
  // Uploads and runs go through template.New, which first infers the format (template.go:53-64,
  // :134-143): with no document read as a pipeline spec, it is "unknown template format".
  if (!pipelineSpec) throw invalidArgument('Invalid pipeline spec: unknown template format');
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
    throw invalidArgument(
      `Invalid pipeline spec: unable to decode yaml document: ${firstError.message.split('\n')[0] ?? ''}`,
    );
  }
}

/** Parses an uploaded package (YAML or JSON, one or two documents). */
export function parsePipelinePackage(text: string, kfpVersion: string): PipelinePackage {
  return fromDocuments(readDocuments(text), kfpVersion);
}

/** A `pipeline_spec` Struct sent with a run: either the bare spec or `{pipeline_spec, platform_spec}`. */
export function packageFromStruct(struct: JsonObject, kfpVersion: string): PipelinePackage {
  const inner = struct['pipeline_spec'];
  if (isJsonObject(inner)) {
    const platform = struct['platform_spec'];
    return fromDocuments(isJsonObject(platform) ? [inner, platform] : [inner], kfpVersion);
  }
  return fromDocuments([struct], kfpVersion);
}

/** The `pipeline_spec` Struct the API returns for a stored package. */
export function packageToStruct(pkg: PipelinePackage): JsonObject {
  return pkg.platformSpec ? { pipeline_spec: pkg.pipelineSpec, platform_spec: pkg.platformSpec } : pkg.pipelineSpec;
}
