// The Job the kubernetes-job engine creates for a handoff: rclone copying the manifest's objects
// between the two stores, both configured as rclone S3 remotes through RCLONE_CONFIG_<REMOTE>_*
// environment variables (rclone docs, "Config file / Environment variables"), their keys read
// from the locations' Secrets (`secretKeyRef`), so the reconciler never holds them.
//
// The object list travels in the Job itself, as environment values (`SP_FILES_<n>`, one
// path a line) written to a file for `--files-from-raw`: no ConfigMap or volume to create, clean
// up or find again, so the Job alone is the handoff's work and a later apply needs nothing else
// (the cost: a Job object is bounded by etcd's 1.5 MiB request limit, some ten thousand paths).
import { createHash } from 'node:crypto';
import type { V1EnvVar, V1Job } from '@kubernetes/client-node';
import { DEFAULT_JOB_TTL_SECONDS_AFTER_FINISHED } from '../split-file/transfer-types.js';
import type { KubernetesJobSettings, TransferManifest, TransferObject, TransferSide } from './engine.js';

export const HANDOFF_LABEL = 'split-pipelines.dev/handoff';
export const MANIFEST_ANNOTATION = 'split-pipelines.dev/manifest-sha256';

/** `sp-xfer-<handoffId>`: the same handoff gives the same name, so a later apply finds its Job. */
export function jobNameOf(handoffId: string): string {
  return `sp-xfer-${handoffId}`.slice(0, 63).replace(/-+$/, '');
}

/** One rclone copy: objects sharing a source prefix and a target prefix, with their relative paths. */
export interface CopyGroup {
  sourceBucket: string;
  sourcePrefix: string;
  targetBucket: string;
  targetPrefix: string;
  /** Paths relative to both prefixes; empty for one object copied to another name (`copyto`). */
  paths: string[];
  /** The group's objects, in the order of `paths` (one for a `copyto` group). */
  objects: TransferObject[];
}

/**
 * Which digests the Job must compute for an object so that the copy can be verified (verify.ts):
 * rclone keeps neither our SHA-256 metadata nor, for a source uploaded in parts, anything the
 * target's HEAD can match to the source's ETag. A source ETag that is a plain MD5 is evidence
 * enough (rclone's single-part ETag or its `md5chksum`); otherwise the Job reads the copy back and
 * computes its SHA-256, and the source's too when it is not known.
 */
export function digestsNeeded(o: TransferObject): { target: boolean; source: boolean } {
  const plainMd5 = o.etag !== undefined && /^"?[0-9a-f]{32}"?$/i.test(o.etag);
  if (plainMd5) return { target: false, source: false };
  return { target: true, source: o.sha256 === undefined };
}

/** Marks the start of a block of `rclone hashsum` lines in the Job's log (`sp-sha256 dst 0`). */
export const DIGEST_MARKER = 'sp-sha256';

/** Splits each object's keys into (prefix, common relative path), grouping by prefixes. */
export function copyGroups(objects: TransferObject[]): CopyGroup[] {
  const groups = new Map<string, CopyGroup>();
  for (const o of objects) {
    const s = o.source.key.split('/');
    const t = o.target.key.split('/');
    let n = 0;
    // Common trailing segments: the path relative to both prefixes. None (a renamed key): copied alone.
    while (n < s.length && n < t.length && s[s.length - 1 - n] === t[t.length - 1 - n]) n += 1;
    const sourcePrefix = s.slice(0, s.length - n).join('/');
    const targetPrefix = t.slice(0, t.length - n).join('/');
    const rel = n === 0 ? '' : s.slice(s.length - n).join('/');
    const key = JSON.stringify([
      o.source.bucket,
      sourcePrefix,
      o.target.bucket,
      targetPrefix,
      n === 0 ? o.source.key : '',
    ]);
    let g = groups.get(key);
    if (!g) {
      g =
        n === 0
          ? {
              sourceBucket: o.source.bucket,
              sourcePrefix: o.source.key,
              targetBucket: o.target.bucket,
              targetPrefix: o.target.key,
              paths: [],
              objects: [],
            }
          : {
              sourceBucket: o.source.bucket,
              sourcePrefix,
              targetBucket: o.target.bucket,
              targetPrefix,
              paths: [],
              objects: [],
            };
      groups.set(key, g);
    }
    if (rel !== '') g.paths.push(rel);
    g.objects.push(o);
  }
  return [...groups.values()];
}

/** Digest of what the Job copies, kept on it: a Job found for the handoff copies these objects. */
export function manifestDigest(manifest: TransferManifest): string {
  const h = createHash('sha256');
  for (const o of manifest.objects)
    h.update(`${o.source.bucket}/${o.source.key}\0${o.target.bucket}/${o.target.key}\0${o.size}\n`);
  return h.digest('hex');
}

function remoteEnv(remote: 'SRC' | 'DST', side: TransferSide, settings: KubernetesJobSettings): V1EnvVar[] {
  const secret = settings.credentialsSecret;
  const p = `RCLONE_CONFIG_${remote}_`;
  const env: V1EnvVar[] = [
    { name: `${p}TYPE`, value: 's3' },
    { name: `${p}PROVIDER`, value: side.endpoint === undefined ? 'AWS' : 'Other' },
    { name: `${p}FORCE_PATH_STYLE`, value: 'true' },
    // The target bucket exists (KFP's pipeline root); the Job needs no CreateBucket permission.
    { name: `${p}NO_CHECK_BUCKET`, value: 'true' },
  ];
  if (side.endpoint !== undefined) env.push({ name: `${p}ENDPOINT`, value: side.endpoint });
  if (side.region !== undefined) env.push({ name: `${p}REGION`, value: side.region });
  if (secret === undefined) {
    env.push({ name: `${p}ENV_AUTH`, value: 'true' }); // the pod's identity (service account, IRSA/workload identity)
    return env;
  }
  const ref = (key: string) => ({ secretKeyRef: { name: secret.name, key } });
  env.push({ name: `${p}ACCESS_KEY_ID`, valueFrom: ref(secret.accessKeyIdKey ?? 'AWS_ACCESS_KEY_ID') });
  env.push({ name: `${p}SECRET_ACCESS_KEY`, valueFrom: ref(secret.secretAccessKeyKey ?? 'AWS_SECRET_ACCESS_KEY') });
  if (secret.sessionTokenKey !== undefined)
    env.push({ name: `${p}SESSION_TOKEN`, valueFrom: ref(secret.sessionTokenKey) });
  return env;
}

/** Printed by the Job before each group's rclone: which group the stats lines after it count. */
export const GROUP_MARKER = 'split-pipelines: copy group';

/**
 * rclone's log as JSON lines (`--use-json-log`): its stats every 2 s at NOTICE level, so they are
 * logged without `-v` (whose per-object lines would crowd them out of a log's tail), each with the
 * exact `stats.bytes` copied so far by that rclone; errors stay in the log for the failure summary.
 */
const RCLONE_LOG_FLAGS = '--retries 3 --use-json-log --stats 2s --stats-one-line --stats-log-level NOTICE';

/** One line of rclone's JSON log, as far as the engine reads it. */
interface RcloneLogLine {
  level?: string;
  msg?: string;
  stats?: { bytes?: number; totalBytes?: number };
}

export function rcloneLogLine(line: string): RcloneLogLine | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const v = JSON.parse(line) as RcloneLogLine | null;
    return typeof v === 'object' && v !== null ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Bytes the Job has copied so far, from the tail of its pod's log: the latest stats line, plus the
 * bytes of the groups before the one it belongs to (each group is its own rclone, counting from 0).
 * Groups run in order, so lines before a group marker in the tail belong to the group before it;
 * `group` is the group the previous read ended in. Past the copies (the digests' marker) all bytes
 * are copied. `bytes` is undefined when the tail has no stats yet.
 */
export function copiedFromLog(
  tail: string,
  groups: CopyGroup[],
  group: number,
): { group: number; bytes: number | undefined } {
  const before = (g: number) => groups.slice(0, g).reduce((n, x) => n + x.objects.reduce((m, o) => m + o.size, 0), 0);
  const sizeOf = (g: number) => before(g + 1) - before(g);
  const lines = tail.split('\n');
  const markerAt = (l: string) => {
    const m = new RegExp(`^${GROUP_MARKER} (\\d+)$`).exec(l.trim());
    return m ? Number(m[1]) : undefined;
  };
  const first = lines.map(markerAt).find((g) => g !== undefined);
  let current = first !== undefined ? Math.max(0, first - 1) : group;
  let bytes: number | undefined;
  for (const line of lines) {
    const marker = markerAt(line);
    if (marker !== undefined) {
      current = marker;
      bytes = Math.max(bytes ?? 0, before(current));
      continue;
    }
    if (line.trim().startsWith(DIGEST_MARKER)) return { group: groups.length, bytes: before(groups.length) };
    const copied = rcloneLogLine(line)?.stats?.bytes;
    if (typeof copied === 'number') bytes = before(current) + Math.min(copied, sizeOf(current));
  }
  return { group: Math.max(group, current), bytes };
}

/**
 * The shell script: per group, its path list to a file, then `rclone copy --files-from-raw` (or
 * copyto for one renamed key); then, for objects whose copy a HEAD cannot verify (digestsNeeded),
 * `rclone hashsum sha256 --download` of the target (and the source) under a marker line, which the
 * engine reads from the pod's log.
 */
function script(groups: CopyGroup[]): string {
  const lines = ['set -eu', 'dir="$(mktemp -d)"'];
  groups.forEach((g, i) => {
    lines.push(`echo "${GROUP_MARKER} ${i}"`);
    if (g.paths.length === 0) {
      lines.push(`rclone copyto "$SP_SRC_${i}" "$SP_DST_${i}" ${RCLONE_LOG_FLAGS}`);
    } else {
      lines.push(`printf '%s\\n' "$SP_FILES_${i}" > "$dir/files-${i}"`);
      lines.push(
        `rclone copy "$SP_SRC_${i}" "$SP_DST_${i}" --files-from-raw "$dir/files-${i}" --no-traverse ${RCLONE_LOG_FLAGS}`,
      );
    }
  });
  // One object at a time: rclone 1.60's hashsum lists nothing from S3 with --files-from-raw.
  groups
    .flatMap((g) => g.objects)
    .forEach((o, n) => {
      const needed = digestsNeeded(o);
      if (needed.target) {
        lines.push(`echo "${DIGEST_MARKER} dst ${n}"`);
        lines.push(`rclone hashsum sha256 --download ${shellQuote(`DST:${o.target.bucket}/${o.target.key}`)}`);
      }
      if (needed.source) {
        lines.push(`echo "${DIGEST_MARKER} src ${n}"`);
        lines.push(`rclone hashsum sha256 --download ${shellQuote(`SRC:${o.source.bucket}/${o.source.key}`)}`);
      }
    });
  lines.push(`echo "${DIGEST_MARKER} end"`);
  return lines.join('\n');
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The SHA-256s the Job computed, from its pod's log: per object (by target `bucket/key`), of the
 * target and of the source, where it computed them. Objects are numbered in the order of `groups`.
 */
export function digestsFromLog(log: string, groups: CopyGroup[]): Map<string, { target?: string; source?: string }> {
  const objects = groups.flatMap((g) => g.objects);
  const out = new Map<string, { target?: string; source?: string }>();
  let at: { side: 'target' | 'source'; object: TransferObject } | undefined;
  for (const line of log.split('\n')) {
    const marker = new RegExp(`^${DIGEST_MARKER} (dst|src) (\\d+)$`).exec(line.trim());
    if (marker) {
      const object = objects[Number(marker[2])];
      at = object ? { side: marker[1] === 'dst' ? 'target' : 'source', object } : undefined;
      continue;
    }
    const hash = /^([0-9a-f]{64}) {2}\S/.exec(line);
    if (!at || !hash) continue;
    const id = `${at.object.target.bucket}/${at.object.target.key}`;
    out.set(id, { ...out.get(id), [at.side]: hash[1]! });
    at = undefined;
  }
  return out;
}

export interface JobSpecInput {
  manifest: TransferManifest;
  /** Where the Job runs: its settings give image, namespace, resources … */
  settings: KubernetesJobSettings;
  namespace: string;
  /** The other side's settings, for its credentials Secret (in the same namespace). */
  source: KubernetesJobSettings | undefined;
  target: KubernetesJobSettings | undefined;
}

export function buildJob(input: JobSpecInput): V1Job {
  const { manifest, settings } = input;
  const name = jobNameOf(manifest.handoffId);
  const groups = copyGroups(manifest.objects);
  const env: V1EnvVar[] = [
    ...remoteEnv('SRC', manifest.source, input.source ?? { image: settings.image }),
    ...remoteEnv('DST', manifest.target, input.target ?? { image: settings.image }),
  ];
  groups.forEach((g, i) => {
    env.push({ name: `SP_SRC_${i}`, value: `SRC:${g.sourceBucket}/${g.sourcePrefix}` });
    env.push({ name: `SP_DST_${i}`, value: `DST:${g.targetBucket}/${g.targetPrefix}` });
    if (g.paths.length > 0) env.push({ name: `SP_FILES_${i}`, value: g.paths.join('\n') });
  });
  const labels = { [HANDOFF_LABEL]: manifest.handoffId, 'app.kubernetes.io/managed-by': 'split-pipelines' };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: input.namespace,
      labels,
      annotations: { [MANIFEST_ANNOTATION]: manifestDigest(manifest) },
    },
    spec: {
      backoffLimit: settings.backoffLimit ?? 2,
      activeDeadlineSeconds: settings.activeDeadlineSeconds ?? 6 * 3600,
      // Kubernetes removes a Job no apply came back for; the engine deletes the others once verified.
      ttlSecondsAfterFinished: settings.ttlSecondsAfterFinished ?? DEFAULT_JOB_TTL_SECONDS_AFTER_FINISHED,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          ...(settings.serviceAccountName !== undefined ? { serviceAccountName: settings.serviceAccountName } : {}),
          ...(settings.nodeSelector !== undefined ? { nodeSelector: settings.nodeSelector } : {}),
          containers: [
            {
              name: 'rclone',
              image: settings.image,
              command: ['sh', '-c', script(groups)],
              env,
              ...(settings.resources !== undefined ? { resources: settings.resources } : {}),
            },
          ],
        },
      },
    },
  };
}
