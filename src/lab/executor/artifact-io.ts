// The launcher's object-store side: downloading input artifacts (`downloadArtifacts`) and
// uploading outputs (`uploadOutputArtifacts`) in `backend/src/v2/component/launcher_v2.go`, with
// the lab's integrity check of downloaded bytes (artifact-bytes.ts).
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { NotEmulatedError, type ArtifactRef } from '../../pipeline/driver/index.js';
import { ObjectStoreError, parseArtifactUri, type ArtifactLocation } from '../../location/objectstore/index.js';
import { checkArtifactBytes, labArtifactBuffer, labArtifactStream, type LabArtifactPlan } from './artifact-bytes.js';
import type { RunEnv } from './context.js';

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

/**
 * Downloads one input artifact and checks it; returns its content seed (what the lab's outputs are
 * derived from). Fails as the launcher does: "failed to download input artifact …".
 */
export async function downloadInput(env: RunEnv, task: string, inputName: string, ref: ArtifactRef): Promise<string> {
  const copyErr = (reason: string) => new LauncherError(`failed to download input artifact "${inputName}" from remote storage URI "${ref.uri}": ${reason}`);
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
      `task ${task} reads input artifact "${inputName}" from ${ref.uri}, outside the lab location's ${env.root.scheme}:// object store; reading other stores is not emulated`,
    );
  }
  let check;
  try {
    const { body } = await env.loc.objects.get({ bucket: location.bucket, key: location.key });
    check = await checkArtifactBytes(body);
  } catch (err) {
    throw copyErr(describe(err));
  }
  if (check.kind === 'lab') return check.seed;
  if (check.kind === 'corrupt') throw copyErr(`the object is not the one the lab's launcher wrote: ${check.problem}`);
  // Bytes a user put there for an importer are legitimately foreign; anything else was replaced.
  if (await env.md.producedByImporter(Number(ref.id))) return check.sha256;
  throw copyErr('the object is not the one the lab\'s launcher wrote: it has no lab header (it was replaced or altered)');
}

/** Uploads one output artifact's bytes to its URI. */
export async function uploadOutput(env: RunEnv, outputName: string, uri: string, plan: LabArtifactPlan): Promise<void> {
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
      await s3.send(new PutObjectCommand({ Bucket: location.bucket, Key: location.key, Body: labArtifactBuffer(plan) }));
    } else {
      const params = { Bucket: location.bucket, Key: location.key, Body: labArtifactStream(plan), ContentLength: plan.size };
      await new Upload({ client: s3, params, partSize: 5 * 1024 * 1024, queueSize: 4, leavePartsOnError: false }).done();
    }
  } catch (err) {
    throw new LauncherError(`failed to upload output artifact "${outputName}" to remote storage URI "${uri}": ${describe(err)}`);
  }
}
