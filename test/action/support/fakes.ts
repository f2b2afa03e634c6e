// In-process stand-ins for the runner (ActionIO) and the core (SplitCore), for dispatch tests.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  ApplyFileOptions,
  ApplyFileResult,
  PlanDocument,
  PlanFileOptions,
  PlanFileResult,
  SplitCore,
} from '../../../action/src/core-api.js';
import type { ActionIO, Annotation } from '../../../action/src/io.js';
import { formatDiagnostic, renderPlanMarkdown, renderPlanText } from '../../../src/api/index.js';
import { tempDir } from './workspace.js';

export class RecordingIO implements ActionIO {
  secrets: string[] = [];
  outputs: Record<string, string> = {};
  infos: string[] = [];
  warnings: { message: string; at?: Annotation }[] = [];
  errors: { message: string; at?: Annotation }[] = [];
  summary = '';
  failed?: string;
  setSecret(v: string): void {
    this.secrets.push(v);
  }
  setOutput(n: string, v: string): void {
    this.outputs[n] = v;
  }
  info(m: string): void {
    this.infos.push(m);
  }
  warning(message: string, at?: Annotation): void {
    this.warnings.push(at ? { message, at } : { message });
  }
  error(message: string, at?: Annotation): void {
    this.errors.push(at ? { message, at } : { message });
  }
  group<T>(_name: string, fn: () => Promise<T>): Promise<T> {
    return fn();
  }
  async appendSummary(md: string): Promise<void> {
    this.summary += md;
  }
  setFailed(m: string): void {
    this.failed = m;
  }
}

export function planDocument(over: Partial<PlanDocument> = {}): PlanDocument {
  return {
    name: 'thesis',
    revision: '0123456789ab',
    revisionDigest: '0123456789ab'.padEnd(64, '0'),
    pipeline: { name: 'split-pipelines-thesis', package: 'pipelines/thesis-pipeline.yaml' },
    offline: false,
    inSync: false,
    stages: [
      { index: 1, name: '1-a', location: 'a', steps: ['load-data', 'split-data'], fromCache: [], state: 'done' },
      {
        index: 2,
        name: '2-b',
        location: 'b',
        steps: ['train-model'],
        fromCache: ['load-data', 'split-data'],
        state: 'pending',
      },
    ],
    operations: [
      {
        id: 'run-stage:2',
        kind: 'run-stage',
        stage: 2,
        location: 'b',
        reason: 'stage 2 has not run for this revision',
      },
    ],
    warnings: [],
    diagnostics: [],
    drift: [],
    ...over,
  };
}

export interface FakeCore extends SplitCore {
  planCalls: { file: string; options: PlanFileOptions }[];
  applyCalls: { file: string; options: ApplyFileOptions }[];
}

/** A core whose planFile answers `plans` in turn (offline checks get a valid plan) and applyFile `apply`. */
export function fakeCore(o: {
  plan?: (opts: PlanFileOptions) => PlanFileResult;
  apply?: ((file: string, opts: ApplyFileOptions) => Promise<ApplyFileResult>) | null;
}): FakeCore {
  const core: FakeCore = {
    planCalls: [],
    applyCalls: [],
    planFile: async (file, options) => {
      core.planCalls.push({ file, options });
      return o.plan ? o.plan(options) : { plan: planDocument({ offline: options.offline === true }), diagnostics: [] };
    },
    renderPlanMarkdown,
    renderPlanText,
    formatDiagnostic,
  };
  if (o.apply !== null) {
    const apply =
      o.apply ??
      (async () => ({ plan: planDocument({ inSync: true, operations: [] }), applied: [], inSync: true, drift: [] }));
    core.applyFile = async (file, options) => {
      core.applyCalls.push({ file, options });
      return apply(file, options);
    };
  }
  return core;
}

/** A workspace with a split-pipeline.yaml naming KFP_A_TOKEN, and a runner environment for it. */
export function runnerEnv(
  o: { inputs?: Record<string, string>; event?: object; eventName?: string; extra?: Record<string, string> } = {},
): { cwd: string; env: NodeJS.ProcessEnv } {
  const cwd = tempDir('dispatch');
  writeFileSync(
    join(cwd, 'split-pipeline.yaml'),
    'spec:\n  locations:\n    - name: a\n      kfp: { auth: { tokenEnv: KFP_A_TOKEN } }\n',
  );
  const eventPath = join(cwd, '..', `${cwd.split('/').pop()}-event.json`);
  writeFileSync(eventPath, JSON.stringify(o.event ?? { ref: 'refs/heads/main' }));
  const env: NodeJS.ProcessEnv = {
    GITHUB_EVENT_NAME: o.eventName ?? 'push',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: 'o/r',
    GITHUB_RUN_ID: '7',
    ...o.extra,
  };
  for (const [k, v] of Object.entries(o.inputs ?? {})) env[`INPUT_${k.toUpperCase()}`] = v;
  return { cwd, env };
}
