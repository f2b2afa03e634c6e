// An importer task (`backend/src/v2/component/importer_launcher.go`): an ImporterExecution named by
// the task's display name, then the artifact to import — with `reimport: false` an artifact of the
// same pipeline with the same type, state, URI and custom properties is reused — published COMPLETE
// with an OUTPUT event. The bytes are not read (nor checked) unless they go to the workspace.
import { NotEmulatedError, type ExecutableCall, type VisitResult } from '../../../../src/pipeline/driver/index.js';
import { ObjectStoreError, parseArtifactUri } from '../../../../src/location/objectstore/index.js';
import { stringValue, type Artifact } from '../../../../src/location/mlmd/index.js';
import { metadataToProperties, toArtifactRef } from './artifact-refs.js';
import type { RunEnv } from './context.js';
import { pipelineForDriver } from './driver-pipeline.js';
import { IMPORTER_EXECUTION, IMPORTER_WORKSPACE_EXECUTION } from './kfp-metadata.js';
import { schemaTitleOf } from './outputs.js';
import { importedSessionInfo } from './session-info.js';
import type { Frame } from './visitor.js';

const fail = (error: string): VisitResult => ({
  state: 'failed',
  error: `failed to execute importer component: ${error}`,
});

export async function runImporterTask(env: RunEnv, call: ExecutableCall<Frame>, key: string): Promise<VisitResult> {
  const imp = call.importer!;
  // The importer launcher's first call (2.17.0:backend/src/v2/component/importer_launcher.go:125).
  let pipeline;
  try {
    pipeline = await pipelineForDriver(env);
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
  const exec = await env.md.createExecution(pipeline, {
    type: imp.downloadToWorkspace ? IMPORTER_WORKSPACE_EXECUTION : IMPORTER_EXECUTION,
    displayName: '',
    taskName: call.node.displayName,
    parentDagId: call.parentDag.exec.id,
  });
  env.details.setExecution(key, exec.id);
  const uri = imp.artifactUri;
  const scheme = /^([a-z0-9]+):\/\//i.exec(uri)?.[1]?.toLowerCase();
  if (scheme === 'oci') {
    throw new NotEmulatedError(
      `task ${call.path.join('/')} imports ${uri}; OCI registries (Modelcar) are not emulated`,
    );
  }
  if (scheme !== 'gs' && scheme !== 's3' && scheme !== 'minio')
    return fail(`no provider scheme found in artifact URI: ${uri}`);
  const typeId = await env.md.artifactTypeId(schemaTitleOf(imp.typeSchema));
  const customProperties = {
    ...metadataToProperties(imp.metadata),
    store_session_info: stringValue(importedSessionInfo(scheme)),
  };
  if (imp.downloadToWorkspace) {
    // The workspace copy needs the bytes (importer_launcher.go: DownloadBlob into the workspace).
    if (scheme !== env.root.scheme) {
      throw new NotEmulatedError(
        `task ${call.path.join('/')} downloads ${uri} into the workspace; reading stores other than the lab's ${env.root.scheme}:// is not emulated`,
      );
    }
    try {
      const loc = parseArtifactUri(uri);
      const { body } = await env.loc.objects.get({ bucket: loc.bucket, key: loc.key });
      for await (const chunk of body) void chunk;
    } catch (err) {
      const reason = err instanceof ObjectStoreError ? `${err.code ?? 'error'}: ${err.message}` : String(err);
      return fail(
        `failed to create MLMD artifact from ImporterSpec: failed to download artifact to workspace: ${reason}`,
      );
    }
  }
  let artifact: Artifact = { typeId, state: 'LIVE', uri, customProperties };
  if (!imp.reimport) artifact = (await env.md.findMatchedArtifact(artifact, pipeline.pipelineCtx.id!)) ?? artifact;
  const ids = await env.md.publish(pipeline, exec, undefined, [{ name: imp.outputName, artifact }], 'COMPLETE');
  const stored = artifact.id ? artifact : { ...artifact, id: ids[0]!, type: schemaTitleOf(imp.typeSchema) };
  return { state: 'succeeded', outputs: { parameters: {}, artifacts: { [imp.outputName]: [toArtifactRef(stored)] } } };
}
