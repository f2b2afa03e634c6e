// status: what each location holds as records only (no bytes), in the drawing, the Markdown and JSON.
import { describe, expect, test } from 'vitest';
import { renderGraphText } from '../../src/report/graph-text.js';
import { pipelineGraph, recordsOnlyByLocation } from '../../src/report/pipeline-graph.js';
import { renderStatusMarkdown } from '../../src/report/status-markdown.js';
import { examplePlan } from './support/scenarios.js';

describe('artifacts held as records only', () => {
  const held = {
    a: { artifacts: { 'load-data': [{ output: 'dataset', bytes: 10 }] } },
    b: { artifacts: { 'load-data': [{ output: 'dataset', bytes: null, recordsOnly: true as const }] } },
    c: {
      artifacts: {
        'train-model': [{ output: 'model', bytes: 5 }],
        'split-data': [
          { output: 'test_set', bytes: null, recordsOnly: true as const },
          { output: 'train_set', bytes: null, recordsOnly: true as const },
        ],
        'load-data': [{ output: 'dataset', bytes: null, recordsOnly: true as const }],
      },
    },
  };
  const order = ['load-data', 'split-data', 'train-model', 'evaluate-model', 'serve-model'];

  test('are listed per location in pipeline order, and only where some are', () => {
    expect(recordsOnlyByLocation(held, order)).toEqual({
      b: ['load-data.dataset'],
      c: ['load-data.dataset', 'split-data.test_set', 'split-data.train_set'],
    });
  });

  test('show in the location boxes of the drawing and in the status Markdown', async () => {
    const plan = await examplePlan('thesis');
    const recordsOnly = recordsOnlyByLocation(held, order);
    const text = renderGraphText(pipelineGraph(plan, { recordsOnly }), { width: 200 });
    expect(text).toContain('records only (no bytes here): load-data.dataset ');
    expect(text).toContain(
      'records only (no bytes here): load-data.dataset, split-data.test_set, split-data.train_set',
    );
    const box = (loc: string) => text.slice(text.indexOf(`╭─ ${loc} `), text.indexOf('╯', text.indexOf(`╭─ ${loc} `)));
    expect(box('a')).not.toContain('records only');
    const md = renderStatusMarkdown(plan, recordsOnly);
    expect(md).toContain('**Held as records only**');
    expect(md).toContain('- c: load-data.dataset, split-data.test\\_set, split-data.train\\_set');
    expect(renderStatusMarkdown(plan)).not.toContain('records only');
  });
});
