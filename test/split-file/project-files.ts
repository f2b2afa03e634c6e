// A split-pipeline.yaml with two locations and a package, written to a fresh directory, for checks
// that need the whole file (positions are FILE:LINE:COL in what is written here).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TwoLocationFile {
  /** The package text (pipelines/p.yaml). */
  pkg: string;
  /** Steps of stage 1 (location a) and stage 2 (location b). */
  stageA: string[];
  stageB: string[];
  parameters?: Record<string, unknown>;
  rootA?: string;
  rootB?: string;
  endpointA?: string;
  endpointB?: string;
}

export interface WrittenFile {
  file: string;
  text: string;
  /** 1-based line and column of step `name` in stage `stage` (1 or 2). */
  stepAt(stage: 1 | 2, name: string): { line: number; col: number };
}

export function writeTwoLocationFile(o: TwoLocationFile): WrittenFile {
  const dir = mkdtempSync(join(tmpdir(), 'sp-check-'));
  mkdirSync(join(dir, 'pipelines'));
  writeFileSync(join(dir, 'pipelines/p.yaml'), o.pkg);
  const params = o.parameters ? `, parameters: ${JSON.stringify(o.parameters)}` : '';
  const location = (name: string, endpoint: string, root: string) => [
    `    - name: ${name}`,
    '      kfp: {endpoint: http://127.0.0.1:1}',
    '      mlmd: {endpoint: "127.0.0.1:2"}',
    `      objectStore: {endpoint: "${endpoint}", pipelineRoot: "${root}"}`,
  ];
  const lines = [
    'apiVersion: splitpipelines.dev/v1alpha1',
    'kind: SplitPipeline',
    'metadata: {name: x}',
    'spec:',
    `  pipeline: {package: pipelines/p.yaml${params}}`,
    '  locations:',
    ...location('a', o.endpointA ?? 'http://127.0.0.1:3', o.rootA ?? 's3://lake-a/pipelines'),
    ...location('b', o.endpointB ?? 'http://127.0.0.1:4', o.rootB ?? 's3://lake-b/pipelines'),
    '  stages:',
    '    - location: a',
    `      steps: [${o.stageA.join(', ')}]`,
    '    - location: b',
    `      steps: [${o.stageB.join(', ')}]`,
  ];
  const text = lines.join('\n') + '\n';
  const file = join(dir, 'split-pipeline.yaml');
  writeFileSync(file, text);
  const stepAt = (stage: 1 | 2, name: string) => {
    const line = lines.length - (stage === 1 ? 2 : 0);
    const content = lines[line - 1]!;
    const idx = content.search(new RegExp(`[\\[ ]${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[,\\]]`));
    return { line, col: idx + 2 };
  };
  return { file, text, stepAt };
}
