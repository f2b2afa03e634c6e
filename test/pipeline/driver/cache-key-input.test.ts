import { describe, expect, it } from 'vitest';
import { driveRun } from '../../../src/pipeline/driver/index.js';
import { fingerprint } from '../../../src/pipeline/fingerprint/index.js';
import { FakeVisitor, loadFixture } from './fake-visitor.js';

const run = { runId: 'run-1', runName: 'my run', jobResourceName: 'wf-abc', concurrency: 1 };

describe('the cache key input of container tasks', () => {
  it('matches, for both tasks of two_step_pipeline.yaml, what the YAML and the upstream artifact id give', async () => {
    const graph = loadFixture('two_step_pipeline.yaml');
    const visitor = new FakeVisitor();
    await driveRun(graph, { parameters: { text: 'hi there' }, ...run }, visitor);
    expect(visitor.calls.get('write-to-gcs')!.cacheKeyInput).toEqual({
      componentName: 'comp-write-to-gcs',
      inputArtifactIds: {},
      inputParameterValues: { text: 'hi there' },
      outputArtifacts: {
        output_gcs_path: { artifactType: { schemaTitle: 'system.Artifact', schemaVersion: '0.0.1' } },
      },
      outputParameters: {},
      image: 'google/cloud-sdk:slim',
      command: [
        'sh',
        '-c',
        'set -e -x\necho "$0" | gsutil cp - "$1"\n',
        "{{$.inputs.parameters['text']}}",
        "{{$.outputs.artifacts['output_gcs_path'].uri}}",
      ],
      args: [],
      pvcNames: [],
    });
    // The fake visitor gave the producer's artifact id "1"; the consumer's key holds that id.
    expect(visitor.calls.get('read-from-gcs')!.cacheKeyInput).toEqual({
      componentName: 'comp-read-from-gcs',
      inputArtifactIds: { input_gcs_path: ['1'] },
      inputParameterValues: {},
      outputArtifacts: {},
      outputParameters: {},
      image: 'google/cloud-sdk:slim',
      command: ['sh', '-c', 'set -e -x\ngsutil cat "$0"\n', "{{$.inputs.artifacts['input_gcs_path'].uri}}"],
      args: [],
      pvcNames: [],
    });
  });

  it('uses the root default when the run does not set the parameter', async () => {
    const graph = loadFixture('two_step_pipeline.yaml');
    const visitor = new FakeVisitor();
    await driveRun(graph, { parameters: {}, ...run }, visitor);
    expect(visitor.calls.get('write-to-gcs')!.cacheKeyInput!.inputParameterValues).toEqual({ text: 'Hello KFP!' });
  });

  it('resolves the PVC name of pvc_mount.yaml from the pipeline parameter named in the platform spec', async () => {
    const graph = loadFixture('pvc_mount.yaml');
    const visitor = new FakeVisitor();
    await driveRun(graph, { parameters: { pvc_name: 'my-data' }, ...run }, visitor);
    const producer = visitor.calls.get('producer')!.cacheKeyInput!;
    expect(producer).toEqual({
      componentName: 'comp-producer',
      inputArtifactIds: {},
      inputParameterValues: {},
      outputArtifacts: {},
      outputParameters: { Output: 'STRING' },
      image: 'python:3.11',
      command: graph.executors['exec-producer']!.container!.command,
      args: ['--executor_input', '{{$}}', '--function_to_execute', 'producer'],
      pvcNames: ['my-data'],
    });
    expect(visitor.calls.get('consumer')!.cacheKeyInput!.pvcNames).toEqual(['my-data']);
  });

  it('gives a different fingerprint for a different PVC and the same one for the same PVC', async () => {
    const graph = loadFixture('pvc_mount.yaml');
    const keyFor = async (pvc: string) => {
      const visitor = new FakeVisitor();
      await driveRun(graph, { parameters: { pvc_name: pvc }, ...run }, visitor);
      return fingerprint(visitor.calls.get('producer')!.cacheKeyInput!, '2.17.0');
    };
    expect(await keyFor('a')).toBe(await keyFor('a'));
    expect(await keyFor('a')).not.toBe(await keyFor('b'));
  });

  it('resolves a PVC name from the createpvc output and keeps platform ops out of executor logs', async () => {
    const graph = loadFixture('pipeline_with_volume.yaml');
    const visitor = new FakeVisitor();
    await driveRun(graph, { parameters: {}, ...run }, visitor);
    expect(visitor.calls.get('producer')!.cacheKeyInput!.pvcNames).toEqual(['pvc-created']);
    const createpvc = visitor.calls.get('createpvc')!;
    expect(createpvc.cacheKeyInput!.publishLogs).toBe(false);
    expect(createpvc.cacheKeyInput!.pvcNames).toEqual([]);
    expect(createpvc.cacheKeyInput!.inputParameterValues).toEqual({
      access_modes: ['ReadWriteOnce'],
      pvc_name_suffix: '-my-pvc',
      size: '5Mi',
      storage_class_name: 'standard',
    });
    // pvc_name_suffix without pvc_name: KFP names the PVC with a UUID, part of the key.
    expect(createpvc.neverCacheHit).toMatch(/never a cache hit/);
    expect(visitor.calls.get('deletepvc')!.cacheKeyInput!.inputParameterValues).toEqual({ pvc_name: 'pvc-created' });
    expect(visitor.calls.get('deletepvc')!.neverCacheHit).toBeUndefined();
  });

  it('adds the run workspace PVC for a task reading an artifact an importer downloaded to the workspace', async () => {
    const graph = loadFixture('critical/pipeline_with_importer_workspace.yaml');
    const visitor = new FakeVisitor({
      outputs: { 'get-uri': { Output: 's3://bucket/file' }, 'get-uri-2': { Output: 's3://bucket/dir' } },
    });
    const result = await driveRun(graph, { parameters: {}, ...run }, visitor);
    expect(result.state).toBe('succeeded');
    const train = visitor.calls.get('import-stage/train')!;
    expect(train.inputs.artifacts.dataset![0]!.metadata).toEqual({ _kfp_workspace: true });
    expect(train.cacheKeyInput!.pvcNames).toEqual(['wf-abc-kfp-workspace']);
    expect(visitor.calls.get('get-uri')!.cacheKeyInput!.pvcNames).toEqual([]);
    const importer = visitor.calls.get('import-stage/importer')!;
    expect(importer.cacheKeyInput).toBeUndefined();
    expect(importer.importer).toEqual({
      outputName: 'artifact',
      artifactUri: 's3://bucket/file',
      typeSchema: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' },
      metadata: { key: 'value' },
      reimport: false,
      downloadToWorkspace: true,
    });
  });

  it('fails a workspace task when the run resource name is not given', async () => {
    const graph = loadFixture('critical/pipeline_with_importer_workspace.yaml');
    const visitor = new FakeVisitor({
      outputs: { 'get-uri': { Output: 's3://b/f' }, 'get-uri-2': { Output: 's3://b/d' } },
    });
    const result = await driveRun(graph, { parameters: {}, concurrency: 1 }, visitor);
    expect(result.state).toBe('failed');
    expect(result.error).toMatch(/run name is required when workspace is used/);
  });

  it('keeps an f-string constant unresolved in the key, as the KFP 2.17.0 driver does', async () => {
    const graph = loadFixture('critical/flip_coin.yaml');
    const visitor = new FakeVisitor({
      outputs: { 'flip-coin': { Output: 'heads' }, 'condition-1/random-num': { Output: 7 } },
    });
    await driveRun(graph, { parameters: {}, ...run }, visitor);
    const key = visitor.calls.get('condition-1/condition-2/print-msg')!.cacheKeyInput!;
    expect(key.inputParameterValues).toEqual({
      msg: "heads and {{$.inputs.parameters['pipelinechannel--random-num-Output']}} > 5!",
      'pipelinechannel--random-num-Output': 7,
    });
  });
});
