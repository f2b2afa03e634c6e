// The importer reuses an artifact only as `FindMatchedArtifact` finds one
// (2.17.0:backend/src/v2/component/importer_launcher.go:168-185; metadata/client.go:1303-1347): same
// type, LIVE, same URI, every custom property of the import equal (its metadata and
// store_session_info {"Provider":<scheme>,"Params":{"fromEnv":"true"}}, importer_launcher.go:280-294),
// attributed to the pipeline's system.Pipeline context. The candidates here are made directly in
// ML Metadata, as a handoff makes them, one condition broken at a time.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Artifact } from '../../../src/location/mlmd/index.js';
import type { JsonObject } from '../../../src/pipeline/ir.js';
import {
  eventsOf,
  executionsOfRun,
  fixtureText,
  packageBody,
  runToEnd,
  startTestLab,
  type TestLab,
} from './helpers.js';

let t: TestLab;

beforeEach(async () => {
  t = await startTestLab();
});

afterEach(async () => {
  await t.dispose();
});

const URI = 'minio://mlpipeline/data/shakespeare1.txt';
const FROM_ENV = '{"Provider":"minio","Params":{"fromEnv":"true"}}';

/** pipeline_with_importer.yaml with its importer pointed at the lab's own store. */
function importerPipeline(): JsonObject {
  const body = packageBody(fixtureText('pipeline_with_importer.yaml')) as JsonObject & {
    deploymentSpec: { executors: Record<string, { importer?: { artifactUri: { constant: string } } }> };
    root: {
      dag: { tasks: Record<string, { inputs: { parameters: { uri: { runtimeValue: { constant: string } } } } }> };
    };
  };
  body.deploymentSpec.executors['exec-importer']!.importer!.artifactUri.constant = URI;
  body.root.dag.tasks.importer!.inputs.parameters.uri.runtimeValue.constant = URI;
  return body;
}

interface Candidate {
  type?: string;
  state?: Artifact['state'];
  customProperties?: Artifact['customProperties'];
  /** The system.Pipeline context it is attributed to, if any. */
  pipeline?: string;
}

/** Puts a candidate artifact at the importer's URI; by default one the importer must reuse. */
async function candidate(c: Candidate = {}): Promise<number> {
  const { mlmd } = t.clients('a');
  const typeId = await mlmd.putArtifactType({ name: c.type ?? 'system.Dataset' });
  const customProperties = c.customProperties ?? {
    key: { stringValue: 'value' },
    store_session_info: { stringValue: FROM_ENV },
  };
  const [id] = await mlmd.putArtifacts([{ typeId, uri: URI, state: c.state ?? 'LIVE', customProperties }]);
  const pipeline = c.pipeline === undefined ? 'pipeline-with-importer' : c.pipeline;
  if (pipeline) {
    const ctxType = await mlmd.putContextType({ name: 'system.Pipeline' });
    const existing = await mlmd.getContextByTypeAndName('system.Pipeline', pipeline);
    const ctxId = existing?.id ?? (await mlmd.putContexts([{ name: pipeline, typeId: ctxType }]))[0]!;
    await mlmd.putAttributionsAndAssociations([{ artifactId: id!, contextId: ctxId }], []);
  }
  return id!;
}

/** Runs the pipeline and returns the id of the artifact its importer published. */
async function imported(): Promise<number> {
  const { kfp, mlmd, store } = t.clients('a');
  await store.put(store.resolve(URI), 'to be or not to be\n');
  const run = await runToEnd(kfp, importerPipeline());
  expect(run.state, run.error?.message).toBe('SUCCEEDED');
  const importer = (await executionsOfRun(mlmd, run.run_id)).find(
    (e) => e.customProperties?.task_name?.stringValue === 'importer',
  )!;
  return (await eventsOf(mlmd, importer.id!, 'OUTPUT')).get('artifact')!;
}

describe('the importer with reimport false', () => {
  it('reuses a matching artifact attributed to the pipeline’s context', async () => {
    const id = await candidate();
    expect(await imported()).toBe(id);
  });

  it('reuses it when it holds more custom properties than the import (only the import’s are compared)', async () => {
    const id = await candidate({
      customProperties: {
        key: { stringValue: 'value' },
        store_session_info: { stringValue: FROM_ENV },
        display_name: { stringValue: 'artifact' },
      },
    });
    expect(await imported()).toBe(id);
  });

  it('does not reuse it when it is not attributed to the pipeline’s context', async () => {
    const id = await candidate({ pipeline: '' });
    expect(await imported()).not.toBe(id);
  });

  it('does not reuse it when it is attributed to another pipeline’s context only', async () => {
    const id = await candidate({ pipeline: 'split-pipelines-handoff' });
    expect(await imported()).not.toBe(id);
  });

  it('does not reuse it when its store_session_info is another than the environment session', async () => {
    const session =
      '{"Provider":"minio","Params":{"accessKeyKey":"accesskey","disableSSL":"true","endpoint":"minio-service.kubeflow:9000","fromEnv":"false"}}';
    const id = await candidate({
      customProperties: { key: { stringValue: 'value' }, store_session_info: { stringValue: session } },
    });
    expect(await imported()).not.toBe(id);
  });

  it('does not reuse it when it has no store_session_info', async () => {
    const id = await candidate({ customProperties: { key: { stringValue: 'value' } } });
    expect(await imported()).not.toBe(id);
  });

  it('does not reuse it when an importer metadata property differs', async () => {
    const id = await candidate({
      customProperties: { key: { stringValue: 'other' }, store_session_info: { stringValue: FROM_ENV } },
    });
    expect(await imported()).not.toBe(id);
  });

  it('does not reuse it when it is not LIVE', async () => {
    const id = await candidate({ state: 'MARKED_FOR_DELETION' });
    expect(await imported()).not.toBe(id);
  });

  it('does not reuse it when its type differs', async () => {
    const id = await candidate({ type: 'system.Artifact' });
    expect(await imported()).not.toBe(id);
  });
});
