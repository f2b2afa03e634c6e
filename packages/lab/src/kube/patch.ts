// PATCH bodies the API server accepts for built-in types: JSON Patch (RFC 6902), JSON Merge Patch
// (RFC 7386), and strategic merge patch, which for a Lease (no lists with merge keys in its spec)
// behaves as a merge patch. Server-side apply is not offered by the lab.
import { badRequest, invalid, unsupportedMediaType } from './status.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (v: unknown): v is { [key: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v);

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const result: { [key: string]: Json } = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key] ?? null, value);
  }
  return result;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw badRequest(`invalid JSON Patch path "${path}"`);
  return path
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

interface Slot {
  parent: Json;
  token: string;
}

function locate(doc: Json, tokens: string[], path: string): Slot {
  let node: Json = doc;
  for (const token of tokens.slice(0, -1)) {
    const next: Json | undefined = Array.isArray(node) ? node[Number(token)] : isObject(node) ? node[token] : undefined;
    if (next === undefined) throw invalidPatch(`path ${path} does not exist`);
    node = next;
  }
  const token = tokens.at(-1);
  if (token === undefined) throw invalidPatch('the whole document cannot be replaced');
  return { parent: node, token };
}

function invalidPatch(message: string) {
  return invalid('patch', [{ reason: 'FieldValueInvalid', field: 'patch', message }]);
}

function read(doc: Json, path: string): Json {
  let node: Json | undefined = doc;
  for (const token of pointer(path)) {
    node = Array.isArray(node) ? node[Number(token)] : isObject(node) ? node[token] : undefined;
    if (node === undefined) throw invalidPatch(`path ${path} does not exist`);
  }
  return node;
}

function remove(doc: Json, path: string): Json {
  const { parent, token } = locate(doc, pointer(path), path);
  if (Array.isArray(parent)) {
    const i = Number(token);
    if (!Number.isInteger(i) || i < 0 || i >= parent.length) throw invalidPatch(`path ${path} does not exist`);
    return parent.splice(i, 1)[0] ?? null;
  }
  if (!isObject(parent) || !(token in parent)) throw invalidPatch(`path ${path} does not exist`);
  const value = parent[token] ?? null;
  delete parent[token];
  return value;
}

function add(doc: Json, path: string, value: Json, replace: boolean): void {
  const { parent, token } = locate(doc, pointer(path), path);
  if (Array.isArray(parent)) {
    const i = token === '-' ? parent.length : Number(token);
    if (!Number.isInteger(i) || i < 0 || i > parent.length) throw invalidPatch(`path ${path} is out of range`);
    parent.splice(i, replace ? 1 : 0, value);
    return;
  }
  if (!isObject(parent)) throw invalidPatch(`path ${path} does not exist`);
  if (replace && !(token in parent)) throw invalidPatch(`path ${path} does not exist`);
  parent[token] = value;
}

export function jsonPatch(document: Json, operations: unknown): Json {
  if (!Array.isArray(operations)) throw badRequest('a JSON Patch must be an array of operations');
  const doc = structuredClone(document);
  for (const op of operations as unknown[]) {
    if (!isObject(op) || typeof op['op'] !== 'string' || typeof op['path'] !== 'string') {
      throw badRequest('each JSON Patch operation needs "op" and "path"');
    }
    const path = op['path'];
    const value = op['value'] ?? null;
    const from = typeof op['from'] === 'string' ? op['from'] : '';
    switch (op['op']) {
      case 'add':
        add(doc, path, structuredClone(value), false);
        break;
      case 'replace':
        add(doc, path, structuredClone(value), true);
        break;
      case 'remove':
        remove(doc, path);
        break;
      case 'move':
        add(doc, path, remove(doc, from), false);
        break;
      case 'copy':
        add(doc, path, structuredClone(read(doc, from)), false);
        break;
      case 'test':
        if (JSON.stringify(read(doc, path)) !== JSON.stringify(value))
          throw invalidPatch(`testing value ${path} failed`);
        break;
      default:
        throw badRequest(`unknown JSON Patch operation "${op['op']}"`);
    }
  }
  return doc;
}

/** Applies a PATCH body of the given content type to a document. */
export function applyPatch(document: unknown, body: unknown, contentType: string): unknown {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  switch (type) {
    case 'application/json-patch+json':
      return jsonPatch(document as Json, body);
    case 'application/merge-patch+json':
    case 'application/strategic-merge-patch+json':
      if (!isObject(body)) throw badRequest('a merge patch must be a JSON object');
      return mergePatch(structuredClone(document as Json), body);
    default:
      throw unsupportedMediaType(type || '(none)');
  }
}
