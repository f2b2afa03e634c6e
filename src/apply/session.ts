// Everything one reconcile needs about the locations of a project: their clients (connected once),
// their KFP versions and pipeline roots, and fresh observations on demand.
import { artifactFlowOf } from '../plan/travel.js';
import { dataOf } from '../plan/residency.js';
import { connectLocation, type LocationClients } from '../location/connect.js';
import type { BackendReaders } from '../observe/location-backend.js';
import { observeLocation } from '../observe/location.js';
import { PackageRefusedError, packageRefusals } from '../pipeline/kfp-package-check.js';
import type { Observation } from '../plan/observation.js';
import type { JsonValue } from '../pipeline/ir.js';
import { planReconcile } from '../plan/reconcile.js';
import type { PlanDocument } from '../plan/types.js';
import type { Project } from '../split-file/load-project.js';
import type { LocationSpec } from '../split-file/types.js';
import { kfpRunPage } from '../location/kfp/run-page.js';
import { planDiagnosticsOf } from '../split-file/warnings.js';
import { withSessionTransfers } from './plan-transfer.js';
import { runtimeParameters } from '../split-file/secrets.js';

export interface SessionOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export class ReconcileSession {
  readonly clients = new Map<string, LocationClients>();
  private versions = new Map<string, string>();
  private readonly env: NodeJS.ProcessEnv;

  constructor(
    readonly project: Project,
    options: SessionOptions = {},
  ) {
    this.env = options.env ?? process.env;
    for (const loc of project.spec.spec.locations) {
      this.clients.set(
        loc.name,
        connectLocation(loc, {
          baseDir: project.dir,
          ...(options.env ? { env: options.env } : {}),
          ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
        }),
      );
    }
  }

  /** The runs' parameters: the file's, and those it reads from the environment (issue 12 item 8; never printed). */
  get parameters(): Record<string, JsonValue> {
    return runtimeParameters(this.project.spec.spec.pipeline, this.env);
  }

  get experiment(): string {
    return this.project.spec.spec.pipeline.experiment ?? this.project.spec.metadata.name;
  }

  client(name: string): LocationClients {
    const c = this.clients.get(name);
    if (!c) throw new Error(`unknown location ${name}`);
    return c;
  }

  readers(name: string): BackendReaders & { kfpVersion: string; pipelineRoot: string } {
    const c = this.client(name);
    const r: BackendReaders & { kfpVersion: string; pipelineRoot: string } = {
      name,
      kfp: c.kfp,
      mlmd: c.mlmd,
      native: c.native,
      store: c.store,
      kfpVersion: this.versions.get(name) ?? c.config.kfp.version ?? 'unknown',
      pipelineRoot: c.config.objectStore.pipelineRoot,
    };
    if (c.config.kfp.namespace) r.namespace = c.config.kfp.namespace;
    if (c.config.kfp.publishLogs !== undefined) r.publishLogs = c.config.kfp.publishLogs;
    return r;
  }

  /** Learns a location's KFP version (healthz, or the file's override) without a full observation. */
  async observeVersion(name: string): Promise<string> {
    const c = this.client(name);
    const v = c.config.kfp.version ?? (await c.kfp.healthz()).version;
    this.versions.set(name, v);
    return v;
  }

  async observe(): Promise<Observation> {
    const names = [...new Set(this.project.layouts.map((l) => l.location))];
    const observations = await Promise.all(
      names.map((name) => {
        const c = this.client(name);
        return observeLocation({
          location: this.readers(name),
          ...(c.config.kfp.version ? { kfpVersionOverride: c.config.kfp.version } : {}),
          splitPipeline: this.project.spec.metadata.name,
          revision: this.project.revision.short,
          graph: this.project.graph,
          parameters: this.parameters,
          layouts: this.project.layouts,
        });
      }),
    );
    const obs: Observation = { revision: this.project.revision.short, locations: {} };
    for (const o of observations) {
      obs.locations[o.location] = o;
      this.versions.set(o.location, o.kfpVersion);
    }
    // Every location gets the whole package as a pipeline version: one whose KFP cannot read it stops
    // the plan here rather than the apply halfway through the stages.
    const refusals = packageRefusals(this.project.graph.pkg.kfpFields, this.versions);
    if (refusals.length > 0) throw new PackageRefusedError(this.project.graph.pkg.file, refusals);
    return obs;
  }

  plan(observation: Observation): PlanDocument {
    const p = this.project;
    const plan = planReconcile(
      {
        name: p.spec.metadata.name,
        revision: p.revision,
        pipeline: { name: p.graph.name, package: p.packageName },
        layouts: p.layouts,
        diagnostics: planDiagnosticsOf(p),
        artifactFlow: artifactFlowOf(p.graph, (ref) => dataOf(p.spec.spec.data ?? [], ref).labels),
        dependsOn: Object.fromEntries(
          [...p.graph.rootTasks.values()].map((t) => [t.key, [...new Set(t.dependsOn.map((d) => d.task))]]),
        ),
      },
      observation,
    );
    return withSessionTransfers(this, withRunPages(plan, p.spec.spec.locations));
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.close()));
  }
}

/** Links each stage's run to its page in the KFP UI of its location, where the file names that UI. */
function withRunPages(plan: PlanDocument, locations: readonly LocationSpec[]): PlanDocument {
  const ui = new Map(locations.flatMap((l) => (l.kfp.ui ? [[l.name, l.kfp.ui] as const] : [])));
  for (const s of plan.stages) {
    const base = ui.get(s.location);
    if (base && s.runId) s.runUrl = kfpRunPage(base, s.runId);
  }
  return plan;
}
