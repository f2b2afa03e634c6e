// `split-pipelines policy test`: policies run against fixture inputs with expected results, as
// `opa test` and `gator verify` do, so a policy repository's CI can hold its policies to examples.
import type { CompiledPolicy } from './compile.js';
import { evaluatePolicies } from './evaluate.js';
import { handoffBytes, knownSize } from './inputs.js';
import type {
  ArtifactInput,
  HandoffInput,
  LocationInput,
  ParameterInput,
  PolicyContext,
  PolicyInputs,
  StageInput,
} from './types.js';

/** pass: every evaluated item passed; fail: at least one failed; skip: the policy matched no item. */
export type Expectation = 'pass' | 'fail' | 'skip';

export interface PolicyTestCase {
  name: string;
  /** One handoff, one stage, or a whole plan (partial objects are filled with empty values). */
  handoff?: unknown;
  stage?: unknown;
  plan?: unknown;
  context?: Partial<PolicyContext>;
  expect: Record<string, Expectation>;
}

export interface PolicyTestOutcome {
  test: string;
  policy: string;
  expected: Expectation;
  actual: Expectation;
  messages: string[];
  ok: boolean;
}

const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
const labels = (v: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(obj(v)).map(([k, x]) => [k, String(x)]));
const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

function location(v: unknown): LocationInput {
  if (typeof v === 'string') return { name: v, region: '', labels: {} };
  const o = obj(v);
  return { name: text(o.name), region: text(o.region), labels: labels(o.labels) };
}

function artifact(v: unknown): ArtifactInput {
  const o = obj(v);
  return {
    step: text(o.step),
    output: text(o.output),
    type: text(o.type),
    labels: labels(o.labels),
    // Left out (or null) in a fixture: unknown, as in an offline plan.
    ...knownSize(o.bytes),
    travels: o.travels === 'records' ? 'records' : 'bytes',
  };
}

export function handoffFixture(v: unknown): HandoffInput {
  const o = obj(v);
  const artifacts = Array.isArray(o.artifacts) ? o.artifacts.map(artifact) : [];
  const bytes = 'bytes' in o ? o.bytes : handoffBytes(artifacts);
  return { from: location(o.from), to: location(o.to), steps: strs(o.steps), artifacts, ...knownSize(bytes) };
}

export function parameterFixture(v: unknown): ParameterInput {
  const o = obj(v);
  return { name: text(o.name), from: o.from === 'env' ? 'env' : 'file', secret: o.secret === true };
}

export function stageFixture(v: unknown): StageInput {
  const o = obj(v);
  return { index: num(o.index) || 1, location: location(o.location), steps: strs(o.steps), images: strs(o.images) };
}

export function inputsOfCase(c: PolicyTestCase): PolicyInputs {
  const p = obj(c.plan);
  const stages = [
    ...(Array.isArray(p.stages) ? p.stages.map(stageFixture) : []),
    ...(c.stage !== undefined ? [stageFixture(c.stage)] : []),
  ];
  const handoffs = [
    ...(Array.isArray(p.handoffs) ? p.handoffs.map(handoffFixture) : []),
    ...(c.handoff !== undefined ? [handoffFixture(c.handoff)] : []),
  ];
  const parameters = Array.isArray(p.parameters) ? p.parameters.map(parameterFixture) : [];
  return { plan: { stages, handoffs, revision: text(p.revision), parameters } };
}

export function contextOfCase(c: PolicyTestCase): PolicyContext {
  const x = c.context ?? {};
  return {
    command: x.command ?? 'plan',
    trigger: x.trigger ?? 'cli',
    actor: x.actor ?? '',
    now: x.now ?? '2026-01-01T12:00:00Z',
    changed: x.changed ?? [],
  };
}

/** Runs each case and compares, per named policy, what happened with what was expected. */
export function runPolicyTests(policies: CompiledPolicy[], cases: PolicyTestCase[]): PolicyTestOutcome[] {
  const out: PolicyTestOutcome[] = [];
  for (const c of cases) {
    const report = evaluatePolicies(policies, inputsOfCase(c), contextOfCase(c));
    for (const [policy, expected] of Object.entries(c.expect)) {
      const results = report.results.filter((r) => r.policy === policy);
      const known = policies.some((p) => p.spec.name === policy);
      const actual: Expectation = results.length === 0 ? 'skip' : results.every((r) => r.passed) ? 'pass' : 'fail';
      const messages = known ? results.flatMap((r) => r.messages) : [`no policy named "${policy}"`];
      out.push({ test: c.name, policy, expected, actual, messages, ok: known && actual === expected });
    }
  }
  return out;
}
