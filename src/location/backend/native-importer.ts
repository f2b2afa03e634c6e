// The artifact the next KFP's importer makes of an importer spec, and which existing artifact it reuses instead.
// `ImportSpecToArtifact` (`next:backend/src/v2/component/importer_launcher.go:296-395`): the name is the URI's
// last segment (`inferArtifactName`, :457-475), the description empty, the type from the schema title (a title
// outside the enum becomes `Artifact` with the title kept in metadata `_kfp_schema_title`, :410-431), the
// metadata the spec's as it is. With `reimport` false it is created with `reuse_if_exists` (:232-244): an
// artifact of the namespace with the same type, URI, name, description and metadata is reused instead
// (`artifact_store.go:254-304`, `computeArtifactIdentityKey` :400-427, `modelArtifactsEqualForReuse` :445-475).
import type { ImporterCall } from '../../pipeline/driver/types.js';
import type { JsonObject } from '../../pipeline/ir.js';
import type { NativeArtifact } from '../native/client.js';

/** Schema title → `Artifact.ArtifactType` (`next:backend/src/v2/component/util.go:113-122`). */
export const NATIVE_TYPE_OF_TITLE: Readonly<Record<string, string>> = {
  'system.Artifact': 'Artifact',
  'system.Dataset': 'Dataset',
  'system.Model': 'Model',
  'system.Metrics': 'Metric',
  'system.ClassificationMetrics': 'ClassificationMetric',
  'system.SlicedClassificationMetrics': 'SlicedClassificationMetric',
  'system.HTML': 'HTML',
  'system.Markdown': 'Markdown',
};

/** KFP's metadata key for a schema title outside the enum. */
export const SCHEMA_TITLE_KEY = '_kfp_schema_title';

/** Go's `path.Base` of the URI's path, as `inferArtifactName` takes it. */
export function importerArtifactName(uri: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(uri);
  let path = uri;
  if (scheme) {
    const rest = uri.slice(scheme[0].length);
    path = (rest.startsWith('//') ? rest.slice(2).replace(/^[^/?#]*/, '') : rest).replace(/[?#].*$/, '');
  }
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return path.startsWith('/') ? '/' : '.';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** The artifact the importer creates for the call (without namespace and ids). */
export function importerArtifactOf(call: ImporterCall): NativeArtifact {
  const title = call.typeSchema.schemaTitle ?? 'system.Artifact';
  const type = NATIVE_TYPE_OF_TITLE[title];
  const metadata: JsonObject = { ...(call.metadata ?? {}) };
  if (!type) metadata[SCHEMA_TITLE_KEY] = title;
  return {
    name: importerArtifactName(call.artifactUri),
    description: '',
    type: type ?? 'Artifact',
    uri: call.artifactUri,
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
  };
}

/** Go's encoding/json of the metadata map: keys sorted at every level. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/** Whether the importer would reuse `existing` for `wanted` (both in the same namespace). */
export function reusedByImporter(existing: NativeArtifact, wanted: NativeArtifact): boolean {
  return (
    (existing.type ?? '') === (wanted.type ?? '') &&
    (existing.uri ?? '') === (wanted.uri ?? '') &&
    (existing.name ?? '') === (wanted.name ?? '') &&
    (existing.description ?? '') === (wanted.description ?? '') &&
    canonical(existing.metadata ?? {}) === canonical(wanted.metadata ?? {})
  );
}
