// Temporary repositories shaped like a user's: the thesis example (examples/thesis) with edits,
// committed with simple-git so the action can read a pull request's base and head.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { simpleGit } from 'simple-git';
import { stringify } from 'yaml';
import { repoRoot } from '../../support/fixtures.js';

export const thesisSpecText = readFileSync(join(repoRoot, 'examples/thesis/split-pipeline.yaml'), 'utf8');
export const thesisPipelineText = readFileSync(
  join(repoRoot, 'examples/thesis/pipelines/thesis-pipeline.yaml'),
  'utf8',
);

/** Replaces one exact piece of text, failing loudly if the example changed under the test. */
export function edit(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`test fixture: "${from}" not found`);
  return text.replace(from, to);
}

/** The thesis spec with location a's KFP token named by `tokenEnv` (as real installations do). */
export function withTokenEnv(spec: string, variable: string): string {
  return edit(
    spec,
    '      endpoint: http://127.0.0.1:18880\n',
    `      endpoint: http://127.0.0.1:18880\n      auth: { tokenEnv: ${variable} }\n`,
  );
}

export type Files = Record<string, string>;

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `split-pipelines-${prefix}-`));
}

export function writeFiles(dir: string, files: Files): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

export function thesisFiles(spec: string = thesisSpecText, pipeline: string = thesisPipelineText): Files {
  return { 'split-pipeline.yaml': spec, 'pipelines/thesis-pipeline.yaml': pipeline };
}

/** A git repository with one commit per file set (later sets overwrite or delete with `null`). */
export async function gitRepo(commits: Record<string, string | null>[]): Promise<{ dir: string; shas: string[] }> {
  const dir = tempDir('repo');
  const git = simpleGit(dir);
  await git.init();
  await git.addConfig('user.email', 'test@example.com');
  await git.addConfig('user.name', 'test');
  await git.addConfig('commit.gpgsign', 'false');
  const shas: string[] = [];
  for (const [i, files] of commits.entries()) {
    for (const [path, text] of Object.entries(files)) {
      if (text === null) rmSync(join(dir, path), { force: true });
      else writeFiles(dir, { [path]: text });
    }
    await git.add(['-A']);
    await git.commit(`commit ${i + 1}`, ['--allow-empty']);
    shas.push((await git.revparse(['HEAD'])).trim());
  }
  return { dir, shas };
}

/** A compiled pipeline of `count` independent steps with long names: its plan outgrows a comment. */
export function widePipeline(count: number): { text: string; steps: string[] } {
  const steps = Array.from(
    { length: count },
    (_, i) => `step-${String(i).padStart(4, '0')}-with-a-rather-long-descriptive-name`,
  );
  const doc = {
    components: { 'comp-step': { executorLabel: 'exec-step' } },
    deploymentSpec: { executors: { 'exec-step': { container: { image: 'python:3.11', command: ['true'] } } } },
    pipelineInfo: { name: 'wide' },
    root: {
      dag: {
        tasks: Object.fromEntries(
          steps.map((s) => [
            s,
            { cachingOptions: { enableCache: true }, componentRef: { name: 'comp-step' }, taskInfo: { name: s } },
          ]),
        ),
      },
    },
    schemaVersion: '2.1.0',
    sdkVersion: 'kfp-2.14.3',
  };
  return { text: stringify(doc), steps };
}

/** A two-location spec placing the first half of `steps` at a and the rest at b. */
export function wideSpec(steps: string[]): string {
  const half = Math.ceil(steps.length / 2);
  const location = (name: string, port: number) => ({
    name,
    kfp: { endpoint: `http://127.0.0.1:${port}` },
    mlmd: { endpoint: `127.0.0.1:${port + 1}` },
    objectStore: {
      endpoint: `http://127.0.0.1:${port + 2}`,
      region: 'us-east-1',
      pipelineRoot: 'minio://mlpipeline/v2/artifacts',
    },
  });
  return stringify({
    apiVersion: 'splitpipelines.dev/v1alpha1',
    kind: 'SplitPipeline',
    metadata: { name: 'wide' },
    spec: {
      pipeline: { package: 'pipelines/wide.yaml' },
      locations: [location('a', 18880), location('b', 18890)],
      stages: [
        { location: 'a', steps: steps.slice(0, half) },
        { location: 'b', steps: steps.slice(half) },
      ],
    },
  });
}
