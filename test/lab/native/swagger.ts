/** Validation against the next KFP's swagger (test/fixtures/kfp-next-api-swagger), strict: no undeclared fields. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { repoRoot } from '../../support/fixtures.js';
import { toJsonSchema } from '../../support/swagger.js';

export type NextSwagger = 'run' | 'artifact' | 'healthz';
const cache = new Map<NextSwagger, Ajv>();

function ajvFor(file: NextSwagger): Ajv {
  const known = cache.get(file);
  if (known) return known;
  const path = join(repoRoot, 'test/fixtures/kfp-next-api-swagger', `${file}.swagger.json`);
  const swagger = JSON.parse(readFileSync(path, 'utf8')) as { definitions: Record<string, unknown> };
  const ajv = new Ajv({ strict: false, allErrors: true });
  (addFormatsModule as unknown as (a: Ajv) => Ajv)(ajv);
  const definitions = Object.fromEntries(
    Object.entries(swagger.definitions).map(([n, d]) => [n, toJsonSchema(d, true)]),
  );
  ajv.addSchema({ $id: 'swagger', definitions }, 'swagger');
  cache.set(file, ajv);
  return ajv;
}

/** Errors of `body` against a definition of the next KFP's swagger; [] when valid. */
export function nextSwaggerErrors(file: NextSwagger, definition: string, body: unknown): string[] {
  const validate = ajvFor(file).getSchema(`swagger#/definitions/${definition}`);
  if (!validate) throw new Error(`no definition ${definition} in ${file}.swagger.json`);
  if (validate(body)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}
