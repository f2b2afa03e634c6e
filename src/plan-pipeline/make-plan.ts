// The one plan pipeline, shared by the command line (src/cli), the library API (src/api) and the
// GitHub Action (through the library API): load → observe (or not, offline) → plan → policy results
// → enforcement, and for `apply --plan FILE` the comparison with the reviewed plan.
import { applyProject, type ApplyOptions, type ApplyResult } from '../apply/apply.js';
import { ReconcileSession, type SessionOptions } from '../apply/session.js';
import { policyContextFrom } from '../policy/context.js';
import type { PolicyContext, PolicyOverride } from '../policy/types.js';
import type { Observation } from '../plan/observation.js';
import { planOffline } from '../plan/offline.js';
import { dataOf } from '../plan/residency.js';
import { artifactFlowOf } from '../plan/travel.js';
import type { PlanDocument } from '../plan/types.js';
import type { Project } from '../split-file/load-project.js';
import { planDiagnosticsOf } from '../split-file/warnings.js';
import { PlanChangedError, PlanRefusedError } from './refusals.js';
import { inputDifferences, planDifferences } from './compare.js';
import { fileSha256, observationDigests } from './digests.js';
import { refuseIfBlocked } from './enforce.js';
import { planFileOf, readPlanFile, type PlanFile } from './plan-file.js';
import { checkProjectOverrides, evaluatePlanPolicies, withPolicies } from './policies.js';

export type PlanCommand = PolicyContext['command'];

export interface PipelineOptions {
  /** Environment to read secrets from and the policy context (trigger, actor) (defaults to process.env). */
  env?: NodeJS.ProcessEnv;
  /** Soft policy failures to override (`--override-policy NAME --reason TEXT`, or an owner's approving review). */
  overrides?: PolicyOverride[];
  /** `context.now` of the policies (defaults to the time of evaluation). */
  now?: () => Date;
  /** `context.changed`: paths the change under review touches. */
  changed?: string[];
  timeoutMs?: number;
}

export interface MadePlan {
  plan: PlanDocument;
  /** Absent for an offline plan. */
  observation?: Observation;
  /** The policy context the results were evaluated in (absent without policies). */
  policyContext?: PolicyContext;
}

function contextFor(command: PlanCommand, options: PipelineOptions): PolicyContext {
  return policyContextFrom(
    command,
    options.env ?? process.env,
    (options.now ?? (() => new Date()))(),
    options.changed ?? [],
  );
}

/** The plan of a file without contacting any location (what a first apply of the revision would do). */
export function offlinePlanOf(project: Project): PlanDocument {
  return planOffline({
    name: project.spec.metadata.name,
    revision: project.revision,
    pipeline: { name: project.graph.name, package: project.packageName },
    layouts: project.layouts,
    diagnostics: planDiagnosticsOf(project),
    artifactFlow: artifactFlowOf(project.graph, (ref) => dataOf(project.spec.spec.data ?? [], ref).labels),
    transfer: {
      ...(project.spec.spec.transfer ? { spec: project.spec.spec.transfer } : {}),
      locations: project.spec.spec.locations.map((l) => ({
        name: l.name,
        endpoint: l.objectStore.endpoint,
        region: l.objectStore.region,
        kubernetes: l.kubernetes !== undefined,
        ...(l.transfer ? { transfer: l.transfer } : {}),
      })),
    },
  });
}

/** `plan`: observe every location (unless offline) and plan, with the policy results. Never refuses: the caller shows it. */
export async function makePlan(
  project: Project,
  options: PipelineOptions & { command?: PlanCommand; offline?: boolean } = {},
): Promise<MadePlan> {
  const overrides = options.overrides ?? [];
  checkProjectOverrides(project, overrides);
  const context = contextFor(options.command ?? 'plan', options);
  if (options.offline) return withContext(withPolicies(project, offlinePlanOf(project), context, overrides), context);
  const session = new ReconcileSession(project, sessionOptions(options));
  try {
    const observation = await session.observe();
    const plan = withPolicies(project, session.plan(observation), context, overrides);
    return { ...withContext(plan, context), observation };
  } finally {
    await session.close();
  }
}

function withContext(plan: PlanDocument, context: PolicyContext): MadePlan {
  return plan.policies ? { plan, policyContext: context } : { plan };
}

function sessionOptions(options: PipelineOptions): SessionOptions {
  const o: SessionOptions = {};
  if (options.env) o.env = options.env;
  if (options.timeoutMs) o.timeoutMs = options.timeoutMs;
  return o;
}

/** The plan file of a plan just made (`plan --out FILE`). */
export async function planFileFor(project: Project, made: MadePlan, now: Date = new Date()): Promise<PlanFile> {
  return planFileOf({
    createdAt: now.toISOString(),
    name: made.plan.name,
    revision: made.plan.revision,
    revisionDigest: made.plan.revisionDigest,
    file: { path: project.file, sha256: await fileSha256(project.file) },
    package: { path: project.packageName, sha256: await fileSha256(project.packagePath) },
    observations: observationDigests(made.observation),
    ...(made.policyContext ? { policyContext: made.policyContext } : {}),
    plan: made.plan,
  });
}

export interface ApplyPipelineOptions extends PipelineOptions, Omit<ApplyOptions, 'review' | 'env' | 'timeoutMs'> {
  command?: Exclude<PlanCommand, 'plan'>;
  /** `apply --plan FILE`: apply only if a fresh plan matches this reviewed plan file. */
  reviewedPlan?: string;
}

/**
 * `apply` / `reconcile`: checks overrides and the reviewed plan file before anything is contacted, then
 * applies; under the locks, before the first operation, the fresh plan gets its policy results, is
 * compared with the reviewed plan and refused if it differs or a policy blocks.
 */
export async function applyWithPipeline(project: Project, options: ApplyPipelineOptions = {}): Promise<ApplyResult> {
  const command = options.command ?? 'apply';
  const overrides = options.overrides ?? [];
  checkProjectOverrides(project, overrides);
  const reviewed = options.reviewedPlan !== undefined ? await readReviewed(project, options.reviewedPlan) : undefined;
  const { overrides: _o, now: _n, changed: _c, reviewedPlan: _r, command: _cmd, ...applyOptions } = options;
  const result = await applyProject(project, {
    ...applyOptions,
    review: (fresh, observation) => {
      const planned = withPolicies(project, fresh, contextFor(command, options), overrides);
      if (reviewed)
        compareWithReviewed(project, reviewed.file, reviewed.path, planned, fresh, observation, reviewed.digests);
      refuseIfBlocked(planned, command);
      return planned;
    },
  });
  // The apply's output carries the policy decisions it was made under (and who overrode what).
  if (result.planned.policies) result.plan = { ...result.plan, policies: result.planned.policies };
  return result;
}

interface Reviewed {
  path: string;
  file: PlanFile;
  digests: { fileSha256: string; packageSha256: string };
}

async function readReviewed(project: Project, path: string): Promise<Reviewed> {
  const file = await readPlanFile(path);
  if (file.plan.offline) {
    throw new PlanRefusedError(
      path,
      'the plan was made with --offline (no location was observed), so it cannot say what apply would do',
      'write the plan with `split-pipelines plan --out FILE` (without --offline) and review that',
    );
  }
  const digests = { fileSha256: await fileSha256(project.file), packageSha256: await fileSha256(project.packagePath) };
  const differs = inputDifferences(file, { revisionDigest: project.revision.digest, ...digests });
  // Before any lock or location: a changed file or package is known without observing anything.
  if (differs.length > 0) throw new PlanChangedError(path, differs, []);
  return { path, file, digests };
}

function compareWithReviewed(
  project: Project,
  saved: PlanFile,
  path: string,
  planned: PlanDocument,
  fresh: PlanDocument,
  observation: Observation,
  digests: Reviewed['digests'],
): void {
  // Policy results compared in the file's context: only the plan and the policies may differ.
  const policies = saved.policyContext ? evaluatePlanPolicies(project, fresh, saved.policyContext) : planned.policies;
  const differs = planDifferences(saved, {
    revisionDigest: planned.revisionDigest,
    ...digests,
    operations: planned.operations,
    policies,
  });
  if (differs.length === 0) return;
  const now = observationDigests(observation);
  const changedAt = Object.keys({ ...saved.observations, ...now }).filter((l) => saved.observations[l] !== now[l]);
  throw new PlanChangedError(path, differs, changedAt.sort());
}
