// Which keys of a package a location's KFP API server refuses. The server reads the package with
// protojson and DiscardUnknown false (2.17.0:backend/src/apiserver/template/v2_template.go:198), so
// a field or enum value its release does not know fails the upload of the pipeline version and every
// run ("unknown template format": the document is not recognised as a pipeline spec at all,
// template.go:93-101 and :134-143). A platform spec it cannot read is worse: the server takes it for
// some other document and drops it without a word (IsPlatformSpecWithKubernetesConfig,
// v2_template.go:428-440, and the `else if` at :216), so the steps would run without their Kubernetes
// settings (volumes, secrets, node selectors) and with another cache key.
//
// Releases are compared by minor version, as kfp-version.ts explains (2.15.0-rc.1 counts as 2.15).
// Releases after 2.17 and builds without a release version may know keys we have not seen: only keys
// that 2.17 no longer has count against them.
import { UserError } from '../errors/user-error.js';
import { atLeastMinor, parseKfpVersion, type KfpVersion } from './fingerprint/kfp-version.js';
import type { KfpRange } from './proto-schema.js';
import type { KfpFieldUse } from './protojson-read.js';

/** The newest release whose proto the table in proto-schema.ts was checked against. */
const NEWEST_CHECKED = { major: 2, minor: 17 } as const;

/** Whether a KFP release's API server accepts a key with this range (`undefined`: no checked release knows it). */
export function kfpKnows(range: KfpRange | undefined, version: string): boolean {
  const v = parseKfpVersion(version);
  const beyondChecked = !v || atLeastMinor(v, NEWEST_CHECKED.major, NEWEST_CHECKED.minor + 1);
  if (!range) return beyondChecked;
  if (range.before !== undefined && (!v || atLeastMinorOf(v, range.before))) return false;
  if (range.since !== undefined && v && !atLeastMinorOf(v, range.since)) return false;
  return true;
}

function atLeastMinorOf(v: KfpVersion, release: string): boolean {
  const r = parseKfpVersion(release);
  if (!r) throw new Error(`proto-schema names ${release}, which is not a release version`);
  return atLeastMinor(v, r.major, r.minor);
}

/** The keys of `uses` that the API server of `version` refuses. */
export function refusedBy(uses: readonly KfpFieldUse[], version: string): KfpFieldUse[] {
  return uses.filter((u) => !kfpKnows(u.kfp, version));
}

/** "known from KFP 2.16.0", "known before KFP 2.17.0", "known to no KFP release from 2.14.0 through 2.17.0". */
export function describeRange(range: KfpRange | undefined): string {
  if (!range) return 'known to no KFP release from 2.14.0 through 2.17.0';
  if (range.since && range.before) return `known from KFP ${range.since} until before ${range.before}`;
  if (range.since) return `known from KFP ${range.since} on`;
  return `known only before KFP ${range.before ?? '?'}`;
}

/** A key of the package that a location's KFP refuses, where it is written. */
export interface PackageKeyAt extends KfpFieldUse {
  document: 'pipeline spec' | 'platform spec';
  line: number;
  col: number;
}

export interface LocationRefusal {
  location: string;
  kfpVersion: string;
  keys: PackageKeyAt[];
}

/** Per location (name → KFP version), the package's keys its API server refuses; locations with none are left out. */
export function packageRefusals(
  keys: readonly PackageKeyAt[],
  versions: ReadonlyMap<string, string>,
): LocationRefusal[] {
  const out: LocationRefusal[] = [];
  for (const [location, kfpVersion] of versions) {
    const refused = keys.filter((k) => !kfpKnows(k.kfp, kfpVersion));
    if (refused.length > 0) out.push({ location, kfpVersion, keys: refused });
  }
  return out;
}

/** Stops a plan whose package some location's KFP cannot take: found before apply, not halfway through it. */
export class PackageRefusedError extends UserError {
  override name = 'PackageRefusedError';
  constructor(
    readonly file: string,
    readonly refusals: LocationRefusal[],
  ) {
    // Each refusal says what to do at its location.
    super(refusals.map((r) => describeRefusal(file, r)).join('\n'), {
      code: 'package-refused',
      location: refusals.length === 1 ? refusals[0]?.location : undefined,
      operation: 'check-package',
    });
  }
}

function describeRefusal(file: string, r: LocationRefusal): string {
  const dropsPlatform = r.keys.some((k) => k.document === 'platform spec');
  const refusesSpec = r.keys.some((k) => k.document === 'pipeline spec');
  const what = [
    ...(refusesSpec
      ? ['refuses the pipeline package (KFP answers "unknown template format" to its upload and to every run)']
      : []),
    ...(dropsPlatform
      ? ["would drop the package's platform spec without a word, so steps would run without their Kubernetes settings"]
      : []),
  ].join(' and ');
  const lines = r.keys.map((k) => {
    const key = k.kind === 'field' ? `field "${k.name}" of ${k.of}` : `value "${k.name}" of ${k.of}`;
    return `  ${file}:${k.line}:${k.col}: ${key} in the ${k.document} is ${describeRange(k.kfp)}`;
  });
  const since = r.keys.map((k) => k.kfp?.since).filter((v): v is string => v !== undefined);
  const upgrade =
    since.length > 0 && r.keys.every((k) => k.kfp?.since && !k.kfp.before)
      ? `upgrade KFP at ${r.location} to ${since.sort().at(-1)} or later, or `
      : '';
  return [
    `location ${r.location} (KFP ${r.kfpVersion}) ${what}:`,
    ...lines,
    `  What to do: ${upgrade}compile the pipeline with a KFP SDK whose output KFP ${r.kfpVersion} reads ` +
      `(the fields above are what that SDK must not write).`,
  ].join('\n');
}
