// Builders for the planner's inputs, so a test says only what matters to its rule: which stages run
// where, what each location ran and which steps it still has. Everything else gets a default
// (KFP 2.17, single-user, pipeline version uploaded, nothing available, no runs).
import type { PipelineGraph } from '../../src/pipeline/graph.js';
import { planFacts, type PlanFacts } from '../../src/plan/facts.js';
import { layoutStages, type StageLayout } from '../../src/plan/layout.js';
import type { LocationObservation, Observation, ObservedRun, StageVerification } from '../../src/plan/observation.js';
import type { ReconcileInput } from '../../src/plan/reconcile.js';

export const REVISION = 'ffffffffffff';

/** Task → the tasks it depends on; keys in topological order (dependencies first). */
export type Tasks = Record<string, string[]>;

/** A line of tasks, each depending on the one before: `chain('a', 'b')` is a → b. */
export function chain(...tasks: string[]): Tasks {
  return Object.fromEntries(tasks.map((t, i) => [t, i === 0 ? [] : [tasks[i - 1]!]]));
}

/**
 * The real stage layout of a pipeline given as its dependencies. The graph holds only what the
 * layout reads (topological order and each task's dependencies).
 */
export function layoutsOf(tasks: Tasks, stages: [location: string, steps: string[]][]): StageLayout[] {
  const graph = {
    rootOrder: Object.keys(tasks),
    rootTasks: new Map(
      Object.entries(tasks).map(([key, deps]) => [key, { key, dependsOn: deps.map((task) => ({ task })) }]),
    ),
  } as unknown as PipelineGraph;
  return layoutStages(
    graph,
    stages.map(([location, steps]) => ({ location, steps })),
  );
}

export function reconcileInput(tasks: Tasks, layouts: StageLayout[]): ReconcileInput {
  return {
    name: 'test',
    revision: { digest: 'f'.repeat(64), short: REVISION },
    pipeline: { name: 'test-pipeline', package: 'pipelines/test.yaml' },
    layouts,
    diagnostics: [],
    dependsOn: tasks,
  };
}

export class LocationBuilder {
  private readonly o: LocationObservation;

  constructor(name: string) {
    this.o = {
      location: name,
      kfpVersion: '2.17.0',
      multiUser: false,
      pipelineVersionUploaded: true,
      runs: [],
      availability: {},
      markerRuns: [],
    };
  }

  notUploaded(): this {
    this.o.pipelineVersionUploaded = false;
    return this;
  }

  /** Adds a run; call in order newest first, as observation lists them. */
  run(stage: number, state: ObservedRun['state'], over: Partial<ObservedRun> = {}): this {
    this.o.runs.push({
      stage,
      runId: `run-${this.o.location}-${stage}-${this.o.runs.length}`,
      displayName: `stage-${stage}`,
      state,
      createdAt: '2026-01-01T00:00:00Z',
      ...over,
    });
    return this;
  }

  /** A succeeded run that passed verification. */
  done(stage: number, verification: Partial<StageVerification> = {}): this {
    return this.run(stage, 'succeeded', {
      verification: { ok: true, executed: [], cached: [], problems: [], ...verification },
    });
  }

  /** A succeeded run that failed verification (a handed-off step executed instead of being a cache hit). */
  unverified(stage: number, ...problems: string[]): this {
    return this.run(stage, 'succeeded', { verification: { ok: false, executed: [], cached: [], problems } });
  }

  failed(stage: number, error?: string): this {
    return this.run(stage, 'failed', error === undefined ? {} : { error });
  }

  /** Steps KFP would serve from cache here, with their bytes present. */
  has(...steps: string[]): this {
    for (const s of steps) this.o.availability[s] = { available: true, reason: 'cache row and bytes present' };
    return this;
  }

  /** Steps observed as not available here, and why. */
  lost(reason: string, ...steps: string[]): this {
    for (const s of steps) this.o.availability[s] = { available: false, reason };
    return this;
  }

  build(): LocationObservation {
    return structuredClone(this.o);
  }
}

export function at(location: string): LocationBuilder {
  return new LocationBuilder(location);
}

export function observe(...locations: LocationBuilder[]): Observation {
  const out: Observation = { revision: REVISION, locations: {} };
  for (const b of locations) {
    const o = b.build();
    out.locations[o.location] = o;
  }
  return out;
}

/** The facts every rule reads, from a layout and an observation. */
export function factsOf(layouts: StageLayout[], ...locations: LocationBuilder[]): PlanFacts {
  return planFacts(layouts, observe(...locations));
}
