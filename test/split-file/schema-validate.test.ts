import { describe, expect, test } from 'vitest';
import { validateAgainstSchema } from '../../src/split-file/schema-validate.js';

function minimal(): Record<string, unknown> {
  return {
    apiVersion: 'splitpipelines.dev/v1alpha1',
    kind: 'SplitPipeline',
    metadata: { name: 'churn' },
    spec: {
      pipeline: { package: 'p.yaml' },
      locations: [
        {
          name: 'train',
          kfp: { endpoint: 'https://kfp.example.com' },
          mlmd: { endpoint: 'mlmd:8080' },
          objectStore: { endpoint: 'https://s3.example.com', pipelineRoot: 's3://bucket/root' },
        },
      ],
      stages: [{ location: 'train', steps: ['a'] }],
    },
  };
}

type Data = ReturnType<typeof minimal> & {
  spec: { locations: Record<string, Record<string, unknown>>[]; stages: Record<string, unknown>[] };
};
const edit = (change: (d: Data) => void): Data => {
  const d = minimal() as Data;
  change(d);
  return d;
};
const messages = (data: unknown): string[] => validateAgainstSchema(data).findings.map((f) => f.message);

describe('validateAgainstSchema', () => {
  test('accepts the smallest valid spec and fills in defaults', () => {
    const data = minimal() as Data;
    const result = validateAgainstSchema(data);
    expect(result).toEqual({ valid: true, findings: [] });
    expect(data.spec.locations[0]?.['objectStore']).toMatchObject({ region: 'us-east-1', forcePathStyle: true });
    expect(data.spec.stages[0]?.['gate']).toBe('auto');
    expect((data.spec as unknown as { pipeline: { parameters: unknown } }).pipeline.parameters).toEqual({});
  });

  test('names an unknown field, where it is, and the field it probably meant', () => {
    const data = edit((d) => {
      const kfp = d.spec.locations[0]?.['kfp'] as Record<string, unknown>;
      kfp['namespce'] = 'team';
    });
    const [finding] = validateAgainstSchema(data).findings;
    expect(finding).toEqual({
      path: ['spec', 'locations', 0, 'kfp', 'namespce'],
      on: 'key',
      severity: 'error',
      message: 'spec.locations[0].kfp: unknown field "namespce" (did you mean "namespace"?)',
    });
  });

  test('reports a misspelt required field once, as unknown, not also as missing', () => {
    const data = edit((d) => {
      const kfp = d.spec.locations[0]?.['kfp'] as Record<string, unknown>;
      kfp['endpiont'] = kfp['endpoint'];
      delete kfp['endpoint'];
    });
    expect(messages(data)).toEqual(['spec.locations[0].kfp: unknown field "endpiont" (did you mean "endpoint"?)']);
  });

  test('reports a missing required field that was not misspelt', () => {
    const data = edit((d) => {
      delete (d.spec.locations[0]?.['kfp'] as Record<string, unknown>)['endpoint'];
    });
    expect(validateAgainstSchema(data).findings).toEqual([
      {
        path: ['spec', 'locations', 0, 'kfp'],
        on: 'key',
        severity: 'error',
        message: 'spec.locations[0].kfp: missing required field "endpoint"',
      },
    ]);
  });

  test('names the allowed values of an enum', () => {
    const data = edit((d) => {
      (d.spec.stages[0] as Record<string, unknown>)['gate'] = 'later';
    });
    expect(messages(data)).toEqual(['spec.stages[0].gate: must be one of "auto", "manual"']);
  });

  test('names the kind of value found and never the value itself', () => {
    const data = edit((d) => {
      (d.spec.locations[0]?.['kfp'] as Record<string, unknown>)['insecureSkipTlsVerify'] = 'hunter2';
    });
    const [message] = messages(data);
    expect(message).toBe('spec.locations[0].kfp.insecureSkipTlsVerify: must be true or false, not a string');
    expect(message).not.toContain('hunter2');
  });

  test('explains a DNS-1123 label once, whether the name breaks the pattern, the length or both', () => {
    for (const name of ['Churn', 'a'.repeat(64), `${'A'.repeat(64)}_`]) {
      const data = edit((d) => {
        (d['metadata'] as Record<string, unknown>)['name'] = name;
      });
      expect(messages(data)).toEqual([
        "metadata.name: must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters",
      ]);
    }
  });

  test('states the one-of rule of auth once, with no ajv details', () => {
    const data = edit((d) => {
      (d.spec.locations[0]?.['kfp'] as Record<string, unknown>)['auth'] = {};
    });
    expect(messages(data)).toEqual([
      'spec.locations[0].kfp.auth: set exactly one of tokenEnv, tokenFile or serviceAccountToken',
    ]);
  });

  test('states the one-of rule of userIdHeader once when both value and valueEnv are set', () => {
    const data = edit((d) => {
      (d.spec.locations[0]?.['kfp'] as Record<string, unknown>)['userIdHeader'] = { value: 'alice', valueEnv: 'USER' };
    });
    expect(messages(data)).toEqual(['spec.locations[0].kfp.userIdHeader: set exactly one of value or valueEnv']);
  });

  test('reports every problem of a file, not only the first', () => {
    const data = edit((d) => {
      d['kind'] = 'Pipeline';
      (d['metadata'] as Record<string, unknown>)['name'] = 'X';
      (d.spec.stages[0] as Record<string, unknown>)['steps'] = 'a';
      (d.spec.locations[0]?.['mlmd'] as Record<string, unknown>)['endpoint'] = 'grpc://mlmd:8080';
    });
    expect(messages(data)).toHaveLength(4);
  });

  test('quotes keys that are not identifiers in paths', () => {
    const data = edit((d) => {
      (d['metadata'] as Record<string, unknown>)['labels'] = { 'app.kubernetes.io/name': 7 };
    });
    expect(messages(data)).toEqual(['metadata.labels["app.kubernetes.io/name"]: must be a string, not a number']);
  });
});
