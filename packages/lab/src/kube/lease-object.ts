// The Lease resource as the API server stores it: decoding drops unknown fields, validation
// follows kubernetes/kubernetes pkg/apis/coordination/validation/validation.go, and times are
// re-encoded the way apimachinery marshals them (`MicroTime` with 6 fractional digits, `Time` in
// whole seconds, both UTC).
import { badRequest, invalid, type StatusCause } from './status.js';

export const API_VERSION = 'coordination.k8s.io/v1';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
  strategy?: string;
  preferredHolder?: string;
}

export interface LeaseMetadata {
  name: string;
  namespace: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface Lease {
  kind: 'Lease';
  apiVersion: typeof API_VERSION;
  metadata: LeaseMetadata;
  spec: LeaseSpec;
}

/** What a client sent, after decoding: fields the server assigns may be missing. */
export interface LeaseInput {
  metadata: {
    name?: string;
    generateName?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: LeaseSpec;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** RFC 3339 → `2006-01-02T15:04:05.000000Z` (UTC, microseconds), keeping sub-millisecond digits. */
export function normalizeMicroTime(value: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i.exec(value);
  if (!m) return undefined;
  const seconds = Date.parse(`${m[1]}${m[3]?.toUpperCase()}`);
  if (Number.isNaN(seconds)) return undefined;
  const fraction = (m[2] ?? '').padEnd(6, '0').slice(0, 6);
  return `${new Date(seconds).toISOString().slice(0, 19)}.${fraction}Z`;
}

export function formatTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

function stringMap(value: unknown, field: string, causes: StatusCause[]): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    causes.push({ reason: 'FieldValueInvalid', field, message: 'Invalid value: must be a map of strings' });
    return undefined;
  }
  return { ...(value as Record<string, string>) };
}

function decodeSpec(raw: unknown, causes: StatusCause[]): LeaseSpec {
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw)) {
    causes.push({ reason: 'FieldValueInvalid', field: 'spec', message: 'Invalid value: must be an object' });
    return {};
  }
  const spec: LeaseSpec = {};
  const str = (name: 'holderIdentity' | 'strategy' | 'preferredHolder') => {
    const v = raw[name];
    if (v === undefined || v === null) return;
    if (typeof v !== 'string')
      causes.push({ reason: 'FieldValueInvalid', field: `spec.${name}`, message: 'Invalid value: must be a string' });
    else spec[name] = v;
  };
  const int = (name: 'leaseDurationSeconds' | 'leaseTransitions', min: number, rule: string) => {
    const v = raw[name];
    if (v === undefined || v === null) return;
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      causes.push({
        reason: 'FieldValueInvalid',
        field: `spec.${name}`,
        message: `Invalid value: ${JSON.stringify(v)}: must be an integer`,
      });
    } else if (v < min) {
      causes.push({ reason: 'FieldValueInvalid', field: `spec.${name}`, message: `Invalid value: ${v}: ${rule}` });
    } else spec[name] = v;
  };
  const time = (name: 'acquireTime' | 'renewTime') => {
    const v = raw[name];
    if (v === undefined || v === null) return;
    const normalized = typeof v === 'string' ? normalizeMicroTime(v) : undefined;
    if (normalized === undefined) {
      causes.push({
        reason: 'FieldValueInvalid',
        field: `spec.${name}`,
        message: `Invalid value: ${JSON.stringify(v)}: must be an RFC 3339 time`,
      });
    } else spec[name] = normalized;
  };
  str('holderIdentity');
  str('strategy');
  str('preferredHolder');
  int('leaseDurationSeconds', 1, 'must be greater than 0');
  int('leaseTransitions', 0, 'must be greater than or equal to 0');
  time('acquireTime');
  time('renewTime');
  if (
    spec.strategy !== undefined &&
    spec.strategy !== 'OldestEmulationVersion' &&
    !/^[^/]+\/[^/]+$/.test(spec.strategy)
  ) {
    causes.push({
      reason: 'FieldValueNotSupported',
      field: 'spec.strategy',
      message: `Unsupported value: "${spec.strategy}": supported values: "OldestEmulationVersion"`,
    });
  }
  if (spec.preferredHolder && !spec.strategy) {
    causes.push({
      reason: 'FieldValueForbidden',
      field: 'spec.preferredHolder',
      message: 'Forbidden: may only be specified if `strategy` is defined',
    });
  }
  return spec;
}

/** Decodes a request body into a Lease input, or throws the Status the API server would answer. */
export function decodeLease(body: unknown, nameForErrors: string): LeaseInput {
  if (!isObject(body)) throw badRequest('the request body must be a JSON object');
  if (body['kind'] !== undefined && body['kind'] !== 'Lease') {
    throw badRequest(`the kind of the provided object (${JSON.stringify(body['kind'])}) is not Lease`);
  }
  if (body['apiVersion'] !== undefined && body['apiVersion'] !== API_VERSION) {
    throw badRequest(
      `the apiVersion of the provided object (${JSON.stringify(body['apiVersion'])}) is not ${API_VERSION}`,
    );
  }
  const meta = isObject(body['metadata']) ? body['metadata'] : {};
  const causes: StatusCause[] = [];
  const text = (name: string): string | undefined => {
    const v = meta[name];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const input: LeaseInput = {
    metadata: {
      name: text('name'),
      generateName: text('generateName'),
      namespace: text('namespace'),
      uid: text('uid'),
      resourceVersion: text('resourceVersion'),
      labels: stringMap(meta['labels'], 'metadata.labels', causes),
      annotations: stringMap(meta['annotations'], 'metadata.annotations', causes),
    },
    spec: decodeSpec(body['spec'], causes),
  };
  const name = input.metadata.name;
  if (name !== undefined && (name.length > 253 || !DNS1123_SUBDOMAIN.test(name))) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'metadata.name',
      message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`,
    });
  }
  if (causes.length > 0) throw invalid(name ?? nameForErrors, causes);
  return input;
}

/** The list form of a stored Lease: list items carry no kind/apiVersion. */
export function asListItem(lease: Lease): Omit<Lease, 'kind' | 'apiVersion'> {
  return { metadata: lease.metadata, spec: lease.spec };
}
