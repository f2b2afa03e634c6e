// The launcher's object-store side: downloading input artifacts (`downloadArtifacts`) and
// uploading outputs (`uploadOutputArtifacts`) in `backend/src/v2/component/launcher_v2.go`. What the
// downloaded bytes hold is read here (artifact-bytes.ts) but judged only by the component
// (input-reads.ts), as in KFP, where the launcher never looks inside an artifact.
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { NotEmulatedError, type ArtifactRef } from '../../../../src/pipeline/driver/index.js';
import {
  ObjectStoreError,
  parseArtifactUri,
  type ArtifactLocation,
} from '../../../../src/location/objectstore/index.js';
import {
  checkArtifactBytes,
  labArtifactBuffer,
  labArtifactStream,
  type ArtifactCheck,
  type LabArtifactPlan,
} from './artifact-bytes.js';
import type { ObjectsEnv } from './context.js';

/** Objects up to this size are built in memory; larger ones are streamed. */
const IN_MEMORY_LIMIT = 16 * 1024 * 1024;

/** A task failure the launcher itself would report. */
export class LauncherError extends Error {
  override readonly name = 'LauncherError';
}

function describe(err: unknown): string {
  if (err instanceof ObjectStoreError && err.code) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

/** One object the launcher downloaded for an input artifact, as the component will find it. */
export interface DownloadedObject {
  key: string;
  check: ArtifactCheck;
}

/**
 * Downloads one input artifact as the launcher does (`downloadArtifacts`,
 * 2.17.0:backend/src/v2/component/launcher_v2.go:927-1004): `DownloadBlob` lists the URI's key as a
 * prefix and downloads what it finds (2.17.0:backend/src/v2/objectstore/object_store.go:176-204), so
 * an artifact with no objects downloads nothing and is no error here: only a component that then
 * reads the missing file fails (component-io.ts). What the component would find at its local path is
 * the object at the key itself or the objects under `key/` (2.17.0 skips other keys sharing the
 * prefix, `isBlobKeyUnderPrefix` :171-174; 2.14.0-2.16.0 download them to paths outside the
 * artifact's own, where the component does not look). A listing or download error fails the task
 * as the launcher's: "failed to download input artifact …".
 */
export async function downloadInput(
  env: ObjectsEnv,
  task: string,
  inputName: string,
  ref: ArtifactRef,
): Promise<DownloadedObject[]> {
  const copyErr = (reason: string) =>
    new LauncherError(
      `failed to download input artifact "${inputName}" from remote storage URI "${ref.uri}": ${reason}`,
    );
  let location: ArtifactLocation;
  try {
    location = parseArtifactUri(ref.uri);
  } catch (err) {
    throw copyErr(describe(err));
  }
  if (location.scheme !== env.root.scheme) {
    // A real launcher would open that store from its environment (fetchNonDefaultBuckets); the lab
    // has only its own object store, so it cannot tell whether the bytes would be there.
    throw new NotEmulatedError(
      `task ${task} reads input artifact "${inputName}" from ${ref.uri}, outside the lab location's ${env.root.scheme}:// object store; ` +
        `reading other stores is not emulated`,
    );
  }
  const prefix = location.key;
  const dir = `${prefix.replace(/\/+$/, '')}/`;
  const out: DownloadedObject[] = [];
  try {
    for await (const o of env.loc.objects.list(location.bucket, prefix)) {
      if (o.key !== prefix && !o.key.startsWith(dir)) continue;
      const { body } = await env.loc.objects.get({ bucket: location.bucket, key: o.key });
      out.push({ key: o.key, check: await checkArtifactBytes(body) });
    }
  } catch (err) {
    throw copyErr(describe(err));
  }
  return out;
}

/** Uploads one output artifact's bytes to its URI. */
export async function uploadOutput(
  env: ObjectsEnv,
  outputName: string,
  uri: string,
  plan: LabArtifactPlan,
): Promise<void> {
  let location: ArtifactLocation;
  try {
    location = parseArtifactUri(uri);
  } catch (err) {
    throw new LauncherError(`failed to upload output artifact "${outputName}": ${describe(err)}`);
  }
  try {
    // As KFP's launcher writes (Go CDK blob writer): the bytes only, no user metadata, so no
    // sha256 of ours either; a multipart upload for large objects.
    const s3 = env.loc.objects.s3;
    if (plan.size <= IN_MEMORY_LIMIT) {
      await s3.send(
        new PutObjectCommand({ Bucket: location.bucket, Key: location.key, Body: labArtifactBuffer(plan) }),
      );
    } else {
      const params = {
        Bucket: location.bucket,
        Key: location.key,
        Body: labArtifactStream(plan),
        ContentLength: plan.size,
      };
      await new Upload({
        client: s3,
        params,
        partSize: 5 * 1024 * 1024,
        queueSize: 4,
        leavePartsOnError: false,
      }).done();
    }
  } catch (err) {
    throw new LauncherError(
      `failed to upload output artifact "${outputName}" to remote storage URI "${uri}": ${describe(err)}`,
    );
  }
}
