// Which pipeline root KFP really used at a location, read from ML Metadata, and the check of the
// root the file configures against it. KFP's root for a run is `runtime_config.pipeline_root`, or
// else the `defaultPipelineRoot` of the `kfp-launcher` config map (`2.17.0:backend/src/v2/driver/
// root_dag.go:97-113`, `config/env.go:38,86-92`); the root driver records it on the run context as
// `pipeline_root` = `<root>/<pipelineName>/<runId>`, any `?query` of the root moved to the end
// (`2.17.0:backend/src/v2/metadata/client.go:391-405,416-423`). The two roots can differ without
// anyone noticing: the file's is what split-pipelines reads and writes, KFP's is where runs that do
// not pin theirs write.
import { UserError } from '../errors/user-error.js';
import type { MlmdClient } from '../location/mlmd/index.js';

/** The root a run context's `pipeline_root` was generated from, or undefined when it is not of that shape. */
export function rootOfRunContext(runContextRoot: string, runId: string): string | undefined {
  const q = runContextRoot.indexOf('?');
  const query = q >= 0 ? runContextRoot.slice(q) : '';
  const path = (q >= 0 ? runContextRoot.slice(0, q) : runContextRoot).replace(/\/+$/, '');
  if (!path.endsWith(`/${runId}`)) return undefined;
  const withoutRun = path.slice(0, -(runId.length + 1));
  const cut = withoutRun.lastIndexOf('/');
  const root = cut < 0 ? '' : withoutRun.slice(0, cut);
  // The pipeline name is one segment, and a root names at least `<scheme>://<bucket>`.
  if (!/^[a-z0-9+.-]+:\/\/[^/]+/i.test(root)) return undefined;
  return `${root}${query}`;
}

/** Roots are the same when they differ only by trailing slashes. */
export function sameRoot(a: string, b: string): boolean {
  const norm = (s: string) => {
    const q = s.indexOf('?');
    return q >= 0 ? `${s.slice(0, q).replace(/\/+$/, '')}${s.slice(q)}` : s.replace(/\/+$/, '');
  };
  return norm(a) === norm(b);
}

/** KFP's pipeline root of one run, from its run context; undefined when the run has no context (yet). */
export async function kfpRootOfRun(mlmd: MlmdClient, runId: string): Promise<string | undefined> {
  const ctx = await mlmd.getContextByTypeAndName('system.PipelineRun', runId);
  const recorded = ctx?.customProperties?.['pipeline_root']?.stringValue;
  return recorded ? rootOfRunContext(recorded, runId) : undefined;
}

/** The run contexts' roots of an execution's runs (the run that produced it, and any that reused it). */
export async function kfpRootsOfExecution(
  mlmd: MlmdClient,
  executionId: number,
): Promise<{ runId: string; root: string }[]> {
  const out: { runId: string; root: string }[] = [];
  for (const c of await mlmd.getContextsByExecution(executionId)) {
    if (c.type !== undefined && c.type !== 'system.PipelineRun') continue;
    const recorded = c.customProperties?.['pipeline_root']?.stringValue;
    const root = recorded && c.name ? rootOfRunContext(recorded, c.name) : undefined;
    if (root && c.name) out.push({ runId: c.name, root });
  }
  return out;
}

/** What to tell the user when a location's runs do not write under the configured root. */
export function rootMismatchAdvice(location: string, configured: string, kfpRoot: string): string {
  return (
    `set spec.locations[${location}].objectStore.pipelineRoot to ${kfpRoot} if that is where this location's KFP writes ` +
    `(its kfp-launcher defaultPipelineRoot), or keep ${configured} and run those steps there again: the runs split-pipelines ` +
    'creates pin runtime_config.pipeline_root to the configured root'
  );
}

/** A location whose KFP used another pipeline root than the file configures for it. */
export class PipelineRootMismatchError extends UserError {
  override readonly name = 'PipelineRootMismatchError';
  constructor(
    override readonly location: string,
    readonly configured: string,
    readonly kfpRoot: string,
    readonly runId: string,
  ) {
    super(
      `location ${location}: run ${runId} wrote its artifacts under the pipeline root ${kfpRoot}, but the file configures ${configured} ` +
        'for this location',
      {
        code: 'pipeline-root-mismatch',
        location,
        operation: 'observe',
        advice: rootMismatchAdvice(location, configured, kfpRoot),
      },
    );
  }
}

/**
 * Refuses a run whose run context says KFP wrote under another root than the configured one: its
 * outputs are not where handoffs read and write them. Runs split-pipelines creates pin the root, so
 * this finds runs created otherwise, or before it did, or a root changed in the file since.
 */
export async function checkRunRoot(
  mlmd: MlmdClient,
  location: string,
  configured: string,
  runId: string,
): Promise<void> {
  const kfpRoot = await kfpRootOfRun(mlmd, runId);
  if (kfpRoot !== undefined && !sameRoot(kfpRoot, configured))
    throw new PipelineRootMismatchError(location, configured, kfpRoot, runId);
}
