// One listing in place of a HEAD per object. A handoff touches hundreds or thousands of objects
// that sit side by side (one run's outputs under `<root>/<pipeline>/<run>/…`); listing their common
// directory costs one request per 1,000 objects, where a HEAD each costs one per object — on a
// store bound by requests (every real one over a WAN) that is the difference that matters, and it
// is how `rclone --fast-list` works too. A listing that turns out far larger than the keys asked
// about (a shared root with a long history) is abandoned early: the caller then HEADs each key.
import type { ObjectRef, ObjectStore, ObjectSummary } from './client.js';

export interface Listing {
  /** The object at exactly this key, or undefined when the listing shows none there. */
  at(ref: ObjectRef): ObjectSummary | undefined;
  /** The objects under `<key>/` (a "directory" artifact), with keys relative to it. */
  under(ref: ObjectRef): { path: string; summary: ObjectSummary }[];
}

export interface ListingOptions {
  /** Give up once a bucket's listing holds more than this many entries per key asked about
   * (default 4, at least 1,000 entries in all: one page). */
  entriesPerKey?: number;
}

function commonDirectory(keys: string[]): string {
  let prefix = keys[0] ?? '';
  for (const k of keys) {
    let i = 0;
    while (i < prefix.length && i < k.length && prefix[i] === k[i]) i++;
    prefix = prefix.slice(0, i);
  }
  // Only whole path segments: `a/b/step-1` and `a/b/step-2` share `a/b/`, not `a/b/step-`; a key
  // that is itself the common prefix also covers the objects under `<key>/`.
  return prefix.slice(0, prefix.lastIndexOf('/') + 1);
}

/**
 * Lists, per bucket, the common directory of `refs`. Undefined when a listing grew past the limit
 * (then nothing is known, and the caller must look at each object itself).
 */
export async function listCovering(
  store: ObjectStore,
  refs: ObjectRef[],
  options: ListingOptions = {},
): Promise<Listing | undefined> {
  const byBucket = new Map<string, string[]>();
  for (const r of refs) byBucket.set(r.bucket, [...(byBucket.get(r.bucket) ?? []), r.key]);
  const entries = new Map<string, { byKey: Map<string, ObjectSummary>; sorted: string[] }>();
  for (const [bucket, keys] of byBucket) {
    const limit = Math.max(1000, keys.length * (options.entriesPerKey ?? 4));
    const found = new Map<string, ObjectSummary>();
    for await (const o of store.list(bucket, commonDirectory(keys))) {
      found.set(o.key, o);
      if (found.size > limit) return undefined;
    }
    entries.set(bucket, { byKey: found, sorted: [...found.keys()].sort(byCodeUnit) });
  }
  return {
    at: (ref) => entries.get(ref.bucket)?.byKey.get(ref.key),
    under: (ref) => {
      const bucket = entries.get(ref.bucket);
      if (!bucket) return [];
      const prefix = `${ref.key.replace(/\/+$/, '')}/`;
      const out: { path: string; summary: ObjectSummary }[] = [];
      for (
        let i = lowerBound(bucket.sorted, prefix);
        i < bucket.sorted.length && bucket.sorted[i]!.startsWith(prefix);
        i++
      ) {
        const key = bucket.sorted[i]!;
        out.push({ path: key.slice(prefix.length), summary: bucket.byKey.get(key)! });
      }
      return out;
    },
  };
}

const byCodeUnit = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

/** The first index whose key is ≥ `key` in a sorted array. */
function lowerBound(sorted: string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
