// JSON-Schema validation of a spec (ajv, all errors), with ajv's errors rewritten as messages a user
// can act on: the path, what is wrong, and what would be right.
//
// The schema carries two annotations editors also understand (VS Code's JSON language service):
// `patternErrorMessage` explains a pattern in words, `errorMessage` replaces the errors of a schema
// whose rule is clearer stated once ("set exactly one of …").

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import schemaJson from '../../schemas/split-pipeline.schema.json' with { type: 'json' };
import { closestMatch, didYouMean } from './did-you-mean.js';
import { formatPath, isRecord, pathFromPointer, type Finding, type SpecPath } from './path.js';

export const SPLIT_PIPELINE_SCHEMA: Readonly<Record<string, unknown>> = schemaJson;

let compiled: ValidateFunction | undefined;

/** The compiled schema; compiled once, on first use. Throws only if the schema itself is broken. */
export function schemaValidator(): ValidateFunction {
  if (compiled === undefined) {
    const ajv = new Ajv({
      allErrors: true,
      verbose: true,
      strict: true,
      // `oneOf: [{required: [value]}, {required: [valueEnv]}]` names properties declared beside it.
      strictRequired: false,
      useDefaults: true,
    });
    ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
    ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
    compiled = ajv.compile(SPLIT_PIPELINE_SCHEMA);
  }
  return compiled;
}

export interface SchemaValidation {
  valid: boolean;
  findings: Finding[];
}

/**
 * Validates `data` against `schemas/split-pipeline.schema.json`. Fills in the schema's defaults in
 * place (so a valid result can be used as a `SplitPipelineSpec`).
 */
export function validateAgainstSchema(data: unknown): SchemaValidation {
  const validate = schemaValidator();
  const valid = validate(data) === true;
  const errors = valid ? [] : [...(validate.errors ?? [])];
  return { valid, findings: errorsToFindings(errors, data) };
}

function errorsToFindings(errors: ErrorObject[], data: unknown): Finding[] {
  const kept = withoutCombinatorDetails(errors);
  const suggested = new Set<string>();
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const add = (f: Finding): void => {
    const key = `${formatPath(f.path)}\u0000${f.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    findings.push(f);
  };
  // Unknown fields first: a misspelt required field is one problem, not also a "missing" one.
  for (const e of kept) {
    if (e.keyword !== 'additionalProperties') continue;
    const at = pathFromPointer(e.instancePath, data);
    const field = String(e.params['additionalProperty']);
    const known = Object.keys(propertiesOf(e.parentSchema));
    const match = closestMatch(field, known);
    if (match !== undefined) suggested.add(`${e.instancePath}/${match}`);
    const hint =
      match !== undefined
        ? ` (did you mean "${match}"?)`
        : known.length > 0
          ? `; known fields: ${known.join(', ')}`
          : '';
    add(messageAt(at, [...at, field], 'key', `unknown field "${field}"${hint}`));
  }
  for (const e of kept) {
    if (e.keyword === 'additionalProperties') continue;
    if (e.keyword === 'required' && suggested.has(`${e.instancePath}/${String(e.params['missingProperty'])}`)) continue;
    const f = toFinding(e, pathFromPointer(e.instancePath, data));
    if (f !== undefined) add(f);
  }
  return findings;
}

/**
 * Errors inside `oneOf`, `anyOf` and `propertyNames` say little on their own; the combinator's own
 * error (with the schema's `errorMessage`) says it in one line.
 */
function withoutCombinatorDetails(errors: ErrorObject[]): ErrorObject[] {
  const combinators = errors.filter((e) => ['oneOf', 'anyOf', 'propertyNames'].includes(e.keyword));
  return errors.filter((e) => {
    if (combinators.includes(e)) return true;
    return !combinators.some(
      (c) =>
        c.instancePath === e.instancePath &&
        (c.schema === e.parentSchema || (Array.isArray(c.schema) && c.schema.includes(e.parentSchema))),
    );
  });
}

function toFinding(e: ErrorObject, at: SpecPath): Finding | undefined {
  const parent = isRecord(e.parentSchema) ? e.parentSchema : {};
  const custom = typeof parent['errorMessage'] === 'string' ? parent['errorMessage'] : undefined;
  const patternMessage = typeof parent['patternErrorMessage'] === 'string' ? parent['patternErrorMessage'] : undefined;
  switch (e.keyword) {
    case 'required':
      return messageAt(at, at, 'key', `missing required field "${String(e.params['missingProperty'])}"`);
    case 'type':
      return messageAt(
        at,
        at,
        'value',
        `must be ${describeType(String(e.params['type']))}, not ${describeValue(e.data)}`,
      );
    case 'const':
      return messageAt(at, at, 'value', `must be ${JSON.stringify(e.params['allowedValue'])}`);
    case 'enum': {
      const allowed = (e.params['allowedValues'] as unknown[]).map(String);
      const hint = typeof e.data === 'string' ? didYouMean(e.data, allowed) : '';
      return messageAt(at, at, 'value', `must be one of ${allowed.map((v) => `"${v}"`).join(', ')}${hint}`);
    }
    case 'pattern':
    case 'maxLength':
    case 'minLength':
      if (patternMessage !== undefined) return messageAt(at, at, 'value', patternMessage);
      if (e.keyword === 'minLength' && e.params['limit'] === 1) return messageAt(at, at, 'value', 'must not be empty');
      if (e.keyword === 'maxLength')
        return messageAt(at, at, 'value', `must be at most ${String(e.params['limit'])} characters long`);
      if (e.keyword === 'minLength')
        return messageAt(at, at, 'value', `must be at least ${String(e.params['limit'])} characters long`);
      return messageAt(at, at, 'value', `must match the pattern ${String(e.params['pattern'])}`);
    case 'minItems': {
      const limit = Number(e.params['limit']);
      return messageAt(at, at, 'key', `must list at least ${limit} ${limit === 1 ? 'entry' : 'entries'}`);
    }
    case 'dependencies':
      return messageAt(
        at,
        at,
        'key',
        `"${String(e.params['property'])}" is set, so "${String(e.params['missingProperty'])}" must be set too`,
      );
    case 'propertyNames': {
      const name = String(e.params['propertyName']);
      const rule =
        isRecord(e.schema) && typeof e.schema['patternErrorMessage'] === 'string'
          ? e.schema['patternErrorMessage']
          : 'is not allowed';
      return messageAt(at, [...at, name], 'key', `key "${name}" ${rule}`);
    }
    case 'oneOf':
    case 'anyOf':
    case 'minProperties':
    case 'maxProperties':
      return messageAt(at, at, 'key', custom ?? e.message ?? 'is not valid');
    default:
      return messageAt(at, at, 'value', custom ?? e.message ?? 'is not valid');
  }
}

function messageAt(subject: SpecPath, position: SpecPath, on: 'key' | 'value', message: string): Finding {
  const prefix = subject.length === 0 ? '' : `${formatPath(subject)}: `;
  return { path: position, on, message: `${prefix}${message}`, severity: 'error' };
}

function propertiesOf(schema: unknown): Record<string, unknown> {
  return isRecord(schema) && isRecord(schema['properties']) ? schema['properties'] : {};
}

function describeType(type: string): string {
  switch (type) {
    case 'object':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'boolean':
      return 'true or false';
    case 'integer':
      return 'a whole number';
    default:
      return `a ${type}`;
  }
}

/** The kind of value found; never the value itself, which could be a secret. */
function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'boolean') return 'true/false';
  return `a ${typeof value}`;
}
