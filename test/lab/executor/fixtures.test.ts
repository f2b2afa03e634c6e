// Every real compiled KFP pipeline, submitted to a lab location: it runs to SUCCEEDED, fails as
// KFP 2.17.0 would fail it, or is refused with "not emulated: …" — never a silent success.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiledFixtures } from '../../support/fixtures.js';
import { packageBody, requiredParameters, runToEnd, startTestLab, type TestLab } from './helpers.js';

/** Runs the lab cannot emulate: they read artifacts from stores outside the lab, or KFP itself cannot compile them. */
const NOT_EMULATED: Record<string, RegExp> = {
  'pipeline_with_importer.yaml':
    /^not emulated: task train reads input artifact "dataset" from gs:\/\/ml-pipeline-playground\/shakespeare1.txt/,
  'pythonic_artifact_with_single_return.yaml':
    /^not emulated: task make-language-model reads input artifact "text_dataset" from gs:\/\//,
  'pipeline_with_parallelfor_list_artifacts_GH-12033.yaml':
    /^not emulated: task for-loop-1 is a ParallelFor over artifacts/,
};

/** Runs KFP 2.17.0 fails too: a task reads a pipeline-level input artifact, which a run cannot be given. */
const KFP_FAILS: Record<string, RegExp> = {
  'components_with_optional_artifacts.yaml':
    /custom-artifact-printer failed: .*parent DAG does not have input artifact dataset1/,
  'pipeline_with_metadata_fields.yaml': /dataset-joiner failed: .*parent DAG does not have input artifact in_dataset/,
};

const UPLOADED_FILE = 'minio://mlpipeline/uploads/file.csv';
const UPLOADED_DIR = 'minio://mlpipeline/uploads/dir';

let t: TestLab;

beforeAll(async () => {
  t = await startTestLab({
    steps: {
      a: {
        // Loop items the loop body reads fields from (parseJson(...)["A_a"]).
        'args-generator-op': {
          parameters: {
            Output: [
              { A_a: '1', B_b: '2' },
              { A_a: '10', B_b: '20' },
            ],
          },
        },
        // get_uri returns its input's URI; the lab's stand-in returns data a user uploaded.
        'get-uri': { parameters: { Output: UPLOADED_FILE } },
        'get-uri-2': { parameters: { Output: UPLOADED_DIR } },
      },
    },
  });
  const { store } = t.clients('a');
  await store.put({ bucket: 'mlpipeline', key: 'uploads/file.csv' }, 'a,b\n1,2\n');
  await store.put({ bucket: 'mlpipeline', key: 'uploads/dir' }, 'listing\n');
});

afterAll(async () => {
  await t.dispose();
});

describe.concurrent('every compiled KFP pipeline fixture at a lab location', () => {
  for (const [rel, path] of compiledFixtures()) {
    it(`runs ${rel} to its KFP outcome`, async () => {
      const body = packageBody(readFileSync(path, 'utf8'), rel);
      const run = await runToEnd(t.clients('a').kfp, body, requiredParameters(body), { displayName: rel });
      if (NOT_EMULATED[rel]) {
        expect(run.state).toBe('FAILED');
        expect(run.error?.message).toMatch(NOT_EMULATED[rel]);
      } else if (KFP_FAILS[rel]) {
        expect(run.state).toBe('FAILED');
        expect(run.error?.message).toMatch(KFP_FAILS[rel]);
        expect(run.error?.message).not.toMatch(/not emulated/);
      } else {
        expect(run.error?.message).toBeUndefined();
        expect(run.state).toBe('SUCCEEDED');
      }
    }, 60_000);
  }
});
