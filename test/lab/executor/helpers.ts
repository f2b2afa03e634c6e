// Test helpers for the lab executor: a lab with ephemeral ports in a temporary directory, the
// product's own clients for one of its locations, and run submission / waiting over the real APIs.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab, type Lab, type StartLabOptions } from '../../../packages/lab/src/lab.js';
import { KfpClient, type KfpRun } from '../../../src/location/kfp/index.js';
import { MlmdClient, type Execution } from '../../../src/location/mlmd/index.js';
import { ObjectStore } from '../../../src/location/objectstore/index.js';
import type { JsonObject, JsonValue } from '../../../src/pipeline/ir.js';
import { parsePipelineText } from '../../../src/pipeline/load.js';
import { compiledFixturesDir, repoRoot } from '../../support/fixtures.js';

export interface LocationClients {
  kfp: KfpClient;
  mlmd: MlmdClient;
  store: ObjectStore;
}

export interface TestLab {
  lab: Lab;
  dir: string;
  // A property, not a method: tests destructure it (`const { clients } = await lab(...)`).
  clients: (location: string) => LocationClients;
  /** Closes the lab (keeping the directory). */
  close(): Promise<void>;
  /** Closes the lab and removes its directory. */
  dispose(): Promise<void>;
}

export async function startTestLab(options: Partial<StartLabOptions> = {}): Promise<TestLab> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'lab-executor-'));
  const lab = await startLab({ locations: ['a'], ports: 'ephemeral', ...options, dir });
  const made = new Map<string, LocationClients>();
  const clients = (location: string): LocationClients => {
    let c = made.get(location);
    if (!c) {
      const l = lab.locations[location]!;
      c = {
        kfp: new KfpClient({ location, endpoint: l.kfp, retries: 0 }),
        mlmd: new MlmdClient({ location, address: l.mlmd }),
        store: new ObjectStore({
          location,
          endpoint: l.objectStore,
          credentials: l.credentials,
          pipelineRoot: l.pipelineRoot,
        }),
      };
      made.set(location, c);
    }
    return c;
  };
  const close = async () => {
    for (const c of made.values()) {
      c.mlmd.close();
      c.store.close();
    }
    made.clear();
    await lab.close();
  };
  return {
    lab,
    dir,
    clients,
    close,
    dispose: async () => {
      await close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A compiled package as the KFP SDK submits it: the spec, or `{pipeline_spec, platform_spec}`. */
export function packageBody(text: string, name = 'package'): JsonObject {
  const parsed = parsePipelineText(text, name);
  if (!parsed.graph) throw new Error(`${name}: ${parsed.diagnostics.map((d) => d.message).join('; ')}`);
  const pkg = parsed.graph.pkg;
  const spec = pkg.spec as unknown as JsonObject;
  return pkg.platformSpec ? { pipeline_spec: spec, platform_spec: pkg.platformSpec as unknown as JsonObject } : spec;
}

export const fixtureText = (rel: string): string => readFileSync(join(compiledFixturesDir, rel), 'utf8');
export const thesisText = (): string =>
  readFileSync(join(repoRoot, 'examples/thesis/pipelines/thesis-pipeline.yaml'), 'utf8');

const FINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELED', 'SKIPPED']);

export async function waitForRun(kfp: KfpClient, runId: string, timeoutMs = 20_000): Promise<KfpRun> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await kfp.getRun(runId);
    if (run.state && FINAL.has(run.state)) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${run.state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function waitForState(kfp: KfpClient, runId: string, state: string, timeoutMs = 10_000): Promise<KfpRun> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await kfp.getRun(runId);
    if (run.state === state) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} is ${run.state}, not ${state}, after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function runToEnd(
  kfp: KfpClient,
  body: JsonObject,
  parameters: Record<string, JsonValue> = {},
  extra: { pipelineRoot?: string; displayName?: string } = {},
): Promise<KfpRun> {
  const run = await kfp.createRun({
    displayName: extra.displayName ?? 'test run',
    pipelineSpec: body,
    parameters,
    ...(extra.pipelineRoot ? { pipelineRoot: extra.pipelineRoot } : {}),
  });
  return waitForRun(kfp, run.run_id);
}

/** The run's executions (via its run context), by `task_name`. */
export async function executionsOfRun(mlmd: MlmdClient, runId: string): Promise<Execution[]> {
  const ctx = await mlmd.getContextByTypeAndName('system.PipelineRun', runId);
  if (!ctx?.id) return [];
  const out: Execution[] = [];
  let token: string | undefined;
  do {
    const page = await mlmd.getExecutionsByContext(ctx.id, token ? { nextPageToken: token } : {});
    out.push(...page.items);
    token = page.nextPageToken;
  } while (token);
  return out;
}

export const prop = (
  e: { customProperties?: Record<string, { stringValue?: string; intValue?: number }> },
  name: string,
): string | number | undefined => e.customProperties?.[name]?.stringValue ?? e.customProperties?.[name]?.intValue;

/** Values for required root parameters without a default, made up from their types. */
export function requiredParameters(body: JsonObject): Record<string, JsonValue> {
  const spec = ('pipeline_spec' in body ? body.pipeline_spec : body) as {
    root?: {
      inputDefinitions?: {
        parameters?: Record<string, { defaultValue?: unknown; isOptional?: boolean; parameterType?: string }>;
      };
    };
  };
  const out: Record<string, JsonValue> = {};
  for (const [name, p] of Object.entries(spec.root?.inputDefinitions?.parameters ?? {})) {
    if (p.defaultValue !== undefined || p.isOptional === true) continue;
    const byType: Record<string, JsonValue> = {
      NUMBER_INTEGER: 1,
      NUMBER_DOUBLE: 1.5,
      BOOLEAN: true,
      LIST: ['x', 'y'],
      STRUCT: { k: 'v' },
    };
    out[name] = byType[p.parameterType ?? ''] ?? 'x';
  }
  return out;
}

/** Container executions of a run by task name (the root DAG and others left out). */
export async function containerExecutions(mlmd: MlmdClient, runId: string): Promise<Map<string, Execution>> {
  const all = await executionsOfRun(mlmd, runId);
  return new Map(
    all.filter((e) => e.type === 'system.ContainerExecution').map((e) => [String(prop(e, 'task_name')), e]),
  );
}

/** An execution's events of one type, as output/input name → artifact id. */
export async function eventsOf(
  mlmd: MlmdClient,
  executionId: number,
  type: 'INPUT' | 'OUTPUT',
): Promise<Map<string, number>> {
  const events = await mlmd.getEventsByExecutionIDs([executionId]);
  return new Map(events.filter((e) => e.type === type).map((e) => [e.path?.steps?.[0]?.key ?? '', e.artifactId!]));
}

export const THESIS_TASKS = ['load-data', 'split-data', 'train-model', 'evaluate-model', 'serve-model'];
