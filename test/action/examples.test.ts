// The example workflows and manifests users copy: they must use the action as action.yml defines
// it, and keep the properties their comments promise (concurrency, permissions, least RBAC).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { repoRoot } from '../support/fixtures.js';

type Json = Record<string, unknown>;
const load = (p: string) => parse(readFileSync(join(repoRoot, p), 'utf8')) as Json;
const inputs = Object.keys((load('action.yml') as { inputs: Json }).inputs);

interface Step {
  uses?: string;
  with?: Record<string, string>;
}
interface Workflow {
  on: Json;
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  jobs: Record<string, { environment?: string; needs?: string; steps: Step[] }>;
}

const workflows = ['pr-plan.yml', 'apply-on-merge.yml', 'nightly-reconcile.yml'].map(
  (f) => [f, load(`examples/github/${f}`) as unknown as Workflow] as const,
);
const actionSteps = (w: Workflow) =>
  Object.values(w.jobs).flatMap((j) => j.steps.filter((s) => s.uses?.includes('/split-pipelines@')));

describe('example workflows', () => {
  it.each(workflows)('%s has a concurrency group and passes only inputs action.yml declares', (_f, w) => {
    expect(w.concurrency?.group).toMatch(/split-pipelines/);
    const steps = actionSteps(w);
    expect(steps.length).toBeGreaterThan(0);
    for (const s of steps) for (const k of Object.keys(s.with ?? {})) expect(inputs).toContain(k);
  });

  it('plans pull requests with permission to comment, one run per pull request', () => {
    const w = load('examples/github/pr-plan.yml') as unknown as Workflow;
    expect(Object.keys(w.on)).toEqual(['pull_request']);
    expect(w.permissions?.['pull-requests']).toBe('write');
    expect(w.concurrency?.group).toContain('github.event.pull_request.number');
    expect(actionSteps(w)[0]!.with?.['command']).toBe('plan');
  });

  it('applies on merge stage by stage behind GitHub Environments, never cancelling an apply', () => {
    const w = load('examples/github/apply-on-merge.yml') as unknown as Workflow;
    expect(w.concurrency?.['cancel-in-progress']).toBe(false);
    expect(
      Object.values(w.jobs).map((j) => [j.environment, actionSteps({ ...w, jobs: { j } })[0]!.with?.['through-stage']]),
    ).toEqual([
      ['train', '1'],
      ['serve', '2'],
    ]);
    expect(w.jobs['serve']!.needs).toBe('train');
  });

  it('reconciles on a schedule in the same concurrency group as apply', () => {
    const w = load('examples/github/nightly-reconcile.yml') as unknown as Workflow;
    const apply = load('examples/github/apply-on-merge.yml') as unknown as Workflow;
    expect(Object.keys(w.on)).toContain('schedule');
    expect(w.concurrency?.group).toBe(apply.concurrency?.group);
    expect(actionSteps(w)[0]!.with?.['command']).toBe('reconcile');
  });
});

describe('the Kubernetes CronJob example', () => {
  const docs = parseAllDocuments(readFileSync(join(repoRoot, 'examples/cron/rbac.yaml'), 'utf8')).map(
    (d) => d.toJS() as Json & { kind: string },
  );
  const cron = load('examples/cron/cronjob.yaml') as {
    spec: Json & { jobTemplate: { spec: { template: { spec: Json & { containers: { command: string[] }[] } } } } };
  };

  it('grants only get, create, update and patch on Leases, in one namespace', () => {
    const role = docs.find((d) => d.kind === 'Role') as unknown as {
      rules: unknown[];
      metadata: { namespace: string };
    };
    expect(role.rules).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update', 'patch'] },
    ]);
    expect(docs.some((d) => d.kind === 'ClusterRole' || d.kind === 'ClusterRoleBinding')).toBe(false);
  });

  it('binds the role to the service account the CronJob runs as', () => {
    const binding = docs.find((d) => d.kind === 'RoleBinding') as unknown as { subjects: { name: string }[] };
    const pod = cron.spec.jobTemplate.spec.template.spec;
    expect(binding.subjects.map((s) => s.name)).toEqual([pod['serviceAccountName']]);
  });

  it('runs the CLI apply, one job at a time', () => {
    expect(cron.spec['concurrencyPolicy']).toBe('Forbid');
    expect(cron.spec.jobTemplate.spec.template.spec.containers[0]!.command.slice(0, 3)).toEqual([
      'npx',
      'split-pipelines',
      'apply',
    ]);
  });
});
