// `kfp.ui`: a location's KFP UI, for links from `status` and the pull-request comment to each run.
import { describe, expect, test } from 'vitest';
import { kfpRunPage } from '../../src/location/kfp/run-page.js';
import { checkLocations } from '../../src/split-file/check-locations.js';
import { validateAgainstSchema } from '../../src/split-file/schema-validate.js';

function file(ui: unknown): Record<string, unknown> {
  return {
    apiVersion: 'splitpipelines.dev/v1alpha1',
    kind: 'SplitPipeline',
    metadata: { name: 'churn' },
    spec: {
      pipeline: { package: 'p.yaml' },
      locations: [
        {
          name: 'train',
          kfp: { endpoint: 'https://kfp.example.com', ui },
          mlmd: { endpoint: 'mlmd:8080' },
          objectStore: { endpoint: 'https://s3.example.com', pipelineRoot: 's3://bucket/root' },
        },
      ],
      stages: [{ location: 'train', steps: ['a'] }],
    },
  };
}

describe('kfp.ui in the file', () => {
  test('the schema accepts an http(s) URL and refuses anything else, at the field', () => {
    expect(validateAgainstSchema(file('https://kubeflow.example.com/pipeline')).findings).toEqual([]);
    const found = validateAgainstSchema(file('kubeflow.example.com/pipeline')).findings;
    expect(found.map((f) => f.path)).toEqual([['spec', 'locations', 0, 'kfp', 'ui']]);
    expect(found[0]?.message).toContain('http:// or https:// URL');
  });

  test('a user name before "@" is refused without showing it: the URL is published in comments', () => {
    const found = checkLocations(file('https://alice@kubeflow.example.com/pipeline'));
    expect(found.map((f) => f.path)).toEqual([['spec', 'locations', 0, 'kfp', 'ui']]);
    expect(found[0]?.message).toContain('without credentials');
    expect(found[0]?.message).not.toContain('alice');
    expect(checkLocations(file('https://kubeflow.example.com/pipeline'))).toEqual([]);
  });
});

describe('kfpRunPage', () => {
  test("links to KFP's run details route under the UI's hash router", () => {
    expect(kfpRunPage('https://kubeflow.example.com/pipeline', 'a1b2')).toBe(
      'https://kubeflow.example.com/pipeline/#/runs/details/a1b2',
    );
    expect(kfpRunPage('http://localhost:8080/', 'a1b2')).toBe('http://localhost:8080/#/runs/details/a1b2');
    expect(kfpRunPage('https://k.example.com/pipeline/#/runs', 'x/y z')).toBe(
      'https://k.example.com/pipeline/#/runs/details/x%2Fy%20z',
    );
  });
});
