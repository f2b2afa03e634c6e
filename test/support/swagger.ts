/**
 * Validates JSON bodies against the real KFP swagger (OpenAPI 2.0) definitions in
 * test/fixtures/kfp-api-swagger, by converting the file's `definitions` to JSON Schema for ajv.
 *
 * `strict` (the default) also forbids properties a definition does not declare, so a response with
 * a misspelt or invented field fails, as a generated client would silently drop it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { swaggerDir } from './fixtures.js';

export type SwaggerFile = 'v2beta1' | 'v2beta1-pipeline-upload' | 'v1beta1-task';

type Schema = { [key: string]: unknown };

const KEPT = new Set(['type', 'properties', 'items', 'additionalProperties', '$ref', 'enum', 'format', 'required']);

/** One swagger schema object → JSON Schema (draft-07 subset ajv understands). */
export function toJsonSchema(s: unknown, strict: boolean): unknown {
  if (Array.isArray(s)) return s.map((x) => toJsonSchema(x, strict));
  if (typeof s !== 'object' || s === null) return s;
  const src = s as Schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(src)) {
    if (!KEPT.has(k)) continue;
    if (k === 'properties') {
      out[k] = Object.fromEntries(Object.entries(v as Schema).map(([name, p]) => [name, toJsonSchema(p, strict)]));
    } else if (k === 'items' || k === 'additionalProperties') {
      out[k] = typeof v === 'object' && v !== null ? toJsonSchema(v, strict) : v;
    } else if (k === 'format' && src['type'] === 'string' && (v === 'int64' || v === 'uint64')) {
      // proto3 JSON writes 64-bit integers as decimal strings.
      out['pattern'] = v === 'int64' ? '^-?[0-9]+$' : '^[0-9]+$';
    } else {
      out[k] = v;
    }
  }
  // A definition without properties (google.protobuf.Struct) stays open.
  if (strict && out['properties'] !== undefined && out['additionalProperties'] === undefined) {
    out['additionalProperties'] = false;
  }
  return out;
}

const cache = new Map<string, Ajv>();

function ajvFor(file: SwaggerFile, strict: boolean): Ajv {
  const key = `${file}:${String(strict)}`;
  const known = cache.get(key);
  if (known) return known;
  const swagger = JSON.parse(readFileSync(join(swaggerDir, `${file}.swagger.json`), 'utf8')) as { definitions: Schema };
  const ajv = new Ajv({ strict: false, allErrors: true });
  const addFormats = addFormatsModule as unknown as (a: Ajv) => Ajv;
  addFormats(ajv);
  const definitions = Object.fromEntries(
    Object.entries(swagger.definitions).map(([name, d]) => [name, toJsonSchema(d, strict)]),
  );
  ajv.addSchema({ $id: 'swagger', definitions }, 'swagger');
  cache.set(key, ajv);
  return ajv;
}

export function swaggerValidator(file: SwaggerFile, definition: string, strict = true): ValidateFunction {
  const validate = ajvFor(file, strict).getSchema(`swagger#/definitions/${definition}`);
  if (!validate) throw new Error(`no definition ${definition} in ${file}.swagger.json`);
  return validate;
}

/** Errors of `body` against a definition, as readable strings; [] when valid. */
export function swaggerErrors(file: SwaggerFile, definition: string, body: unknown, strict = true): string[] {
  const validate = swaggerValidator(file, definition, strict);
  if (validate(body)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message ?? ''}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`,
  );
}
