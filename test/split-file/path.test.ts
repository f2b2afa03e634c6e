import { describe, expect, test } from 'vitest';
import { finding, formatPath, pathFromPointer } from '../../src/split-file/path.js';

describe('formatPath', () => {
  test('writes fields with dots and list entries with brackets', () => {
    expect(formatPath(['spec', 'locations', 1, 'kfp', 'endpoint'])).toBe('spec.locations[1].kfp.endpoint');
  });

  test('quotes keys that are not identifiers', () => {
    expect(formatPath(['metadata', 'labels', 'app.kubernetes.io/name'])).toBe(
      'metadata.labels["app.kubernetes.io/name"]',
    );
    expect(formatPath(['spec', 'pipeline', 'parameters', 'learning rate'])).toBe(
      'spec.pipeline.parameters["learning rate"]',
    );
  });

  test('names the document for the empty path', () => {
    expect(formatPath([])).toBe('(document)');
  });
});

describe('pathFromPointer', () => {
  test('turns digits into indexes only inside lists', () => {
    const data = { spec: { stages: [{ steps: ['a'] }] }, labels: { '0': 'x' } };
    expect(pathFromPointer('/spec/stages/0/steps/0', data)).toEqual(['spec', 'stages', 0, 'steps', 0]);
    expect(pathFromPointer('/labels/0', data)).toEqual(['labels', '0']);
  });

  test('decodes escaped "/" and "~"', () => {
    expect(pathFromPointer('/metadata/labels/app.kubernetes.io~1name/a~0b', {})).toEqual([
      'metadata',
      'labels',
      'app.kubernetes.io/name',
      'a~b',
    ]);
  });
});

describe('finding', () => {
  test('prefixes the message with the path it is about', () => {
    expect(finding(['spec', 'stages', 0], 'is wrong')).toEqual({
      path: ['spec', 'stages', 0],
      on: 'value',
      severity: 'error',
      message: 'spec.stages[0]: is wrong',
    });
  });
});
