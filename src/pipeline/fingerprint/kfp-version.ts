// Which shape of cache key a KFP installation computes, from the version string its API server reports
// (`GET /apis/v2beta1/healthz` → `tag_name`; `2.17.0:backend/src/apiserver/main.go:484-491` defaults it to
// "unknown" when the image was built without TAG_NAME). Only the API server's own healthz counts: the
// Kubeflow UI (ml-pipeline-ui) answers healthz itself, with `apiServerTagName` and no `tag_name`, and the
// client refuses such an endpoint rather than read a version from it (src/location/kfp/endpoint-check.ts).
// The fingerprint is computed by the v2 *driver*, whose image the API server picks (V2_DRIVER_IMAGE, by
// default the same release), so the API server's tag stands for the driver's; where the driver image is
// pinned separately, the location's `kfp.version` in the file names the driver's release instead.
//
// Differences, checked with `git show <tag>:<path>` in kubeflow/pipelines:
// - 2.15.0 (commit 1b3decdc81, #12220): `ContainerSpec.pvcNames` filled with the task's mounted PVC
//   names, de-duplicated and sorted (`backend/src/v2/driver/cache.go` getFingerPrint). Absent in 2.14.x.
// - 2.15.0 (commit 4471829cdb, #12256, Pythonic artifacts): `provisionOutputs` in
//   `backend/src/v2/driver/driver.go` sets `RuntimeArtifact.Name` to the output name, so each entry of
//   `outputArtifactsSpec` gains `"name"`. In 2.14.x the name is empty and protojson omits it.
// - After 2.17.0 (commit 46a45299f3, #13762, 2026-07-24): a non-empty `cachingOptions.cacheKey` replaces
//   the whole key by sha256(componentRef.name + NUL + cacheKey). 2.17.0 and earlier ignore it.
// Patch releases do not get these features (2.14.3 and 2.14.4, cut after both 2.15 features merged, have
// neither), so a change is taken to start at the first pre-release of its minor version: `2.18.0-rc.1`
// counts as 2.18, `2.17.1` as 2.17.

/** A parsed `major.minor.patch[-prerelease][+build]` version, with an optional leading `v`. */
export interface KfpVersion {
  major: number;
  minor: number;
  patch: number;
  /** e.g. `rc.1`; empty for a release. */
  prerelease: string;
}

/** The cache-key shape a KFP version computes. */
export interface CacheKeyVariant {
  /** The version string as given (trimmed). */
  version: string;
  /** Whether `version` parsed as a release version. */
  known: boolean;
  /** `containerSpec.pvcNames` carries the mounted PVC names (2.15.0 on). */
  pvcNames: boolean;
  /** Each `outputArtifactsSpec` entry carries `name` = the output name (2.15.0 on). */
  outputArtifactNames: boolean;
  /** A non-empty custom `cacheKey` replaces the computed key (after 2.17.0, i.e. 2.18 on). */
  customCacheKey: boolean;
  /** Set when callers should warn: the version is unknown, or older than the versions checked. */
  warning?: string;
  /**
   * The next KFP (no ML Metadata, kubeflow/pipelines #13986 at 6585b5143d): the key's input artifacts are
   * the API server's artifact ids and the pipeline name is folded into `cmdArgs`. Such a location is
   * chosen by what it is (its native task API), not by its version string: see `next-cache-key.ts`.
   */
  next?: boolean;
}

/** The release value that names the next KFP (the one without ML Metadata), as in `--kfp-version c=next`. */
export const NEXT_KFP_RELEASE = 'next';

/** Whether `version` names the next KFP (`next`, any case, surrounding blanks ignored). */
export function isNextKfp(version: string): boolean {
  return version.trim().toLowerCase() === NEXT_KFP_RELEASE;
}

const VERSION_PATTERN = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/** Parse a KFP version string; `undefined` when it is not `[v]X.Y.Z[-pre][+build]`. */
export function parseKfpVersion(version: string): KfpVersion | undefined {
  const match = VERSION_PATTERN.exec(version.trim());
  if (!match) return undefined;
  return {
    major: Number(match[1]),
    minor: Number(match[2]),
    patch: Number(match[3]),
    prerelease: match[4] ?? '',
  };
}

/** True when `version` is at or after the first pre-release of `major.minor`. */
export function atLeastMinor(version: KfpVersion, major: number, minor: number): boolean {
  return version.major !== major ? version.major > major : version.minor >= minor;
}

/** The oldest release whose cache key was checked against the KFP source. */
const OLDEST_CHECKED = { major: 2, minor: 14 } as const;

/**
 * Decide the cache-key shape for a KFP version. An unparseable version (`unknown`, `dev`, `master`,
 * empty) gets the newest behaviour, since such builds come from the main branch, with `known: false`
 * and a `warning` so the caller can say the fingerprints may not match.
 */
export function cacheKeyVariant(version: string): CacheKeyVariant {
  const trimmed = version.trim();
  // The next KFP keeps 2.15's pvcNames and output names and 2.18's custom key (next-cache-key.ts cites the lines).
  if (isNextKfp(trimmed)) {
    return {
      version: trimmed,
      known: true,
      pvcNames: true,
      outputArtifactNames: true,
      customCacheKey: true,
      next: true,
    };
  }
  const parsed = parseKfpVersion(trimmed);
  if (!parsed) {
    return {
      version: trimmed,
      known: false,
      pvcNames: true,
      outputArtifactNames: true,
      customCacheKey: true,
      warning:
        `KFP version ${JSON.stringify(trimmed)} is not a release version; assuming the newest cache-key ` +
        'format (after 2.17.0). Cache hits will be missed if the cluster computes keys differently.',
    };
  }
  const from215 = atLeastMinor(parsed, 2, 15);
  const variant: CacheKeyVariant = {
    version: trimmed,
    known: true,
    pvcNames: from215,
    outputArtifactNames: from215,
    customCacheKey: atLeastMinor(parsed, 2, 18),
  };
  if (!atLeastMinor(parsed, OLDEST_CHECKED.major, OLDEST_CHECKED.minor)) {
    variant.warning =
      `KFP ${trimmed} is older than 2.14.0, the oldest version whose cache key was checked; ` +
      'assuming the 2.14 format.';
  }
  return variant;
}
