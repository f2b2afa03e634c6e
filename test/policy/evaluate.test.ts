import { describe, expect, it } from 'vitest';
import { compileException, compilePolicy, PolicyCompileError } from '../../src/policy/compile.js';
import { checkOverrides, evaluatePolicies } from '../../src/policy/evaluate.js';
import { handoffFixture } from '../../src/policy/test-suite.js';
import type { PolicyContext, PolicyInputs, PolicySpec } from '../../src/policy/types.js';

const context: PolicyContext = {
  command: 'plan',
  trigger: 'cli',
  actor: 'ana',
  now: '2026-12-05T12:00:00Z',
  changed: [],
};
const inputs: PolicyInputs = {
  plan: {
    revision: 'r1',
    parameters: [],
    stages: [],
    handoffs: [
      handoffFixture({
        from: 'a',
        to: 'b',
        artifacts: [{ step: 'train', output: 'model', bytes: 100, travels: 'bytes' }],
      }),
      handoffFixture({
        from: 'b',
        to: 'c',
        artifacts: [{ step: 'train', output: 'model', bytes: 5, travels: 'bytes' }],
      }),
    ],
  },
};
const small = (enforcement: PolicySpec['enforcement']): PolicySpec => ({
  name: 'small',
  enforcement,
  owners: ['org/team'],
  scope: 'handoff',
  validations: [{ expression: 'handoff.bytes * 2 < 100', message: 'too big' }],
});

describe('evaluatePolicies', () => {
  it('evaluates once per item of the scope, with integer arithmetic on sizes', () => {
    const report = evaluatePolicies([compilePolicy(small('hard'))], inputs, context);
    expect(report.results.map((r) => [r.item, r.passed, r.blocking])).toEqual([
      ['handoff a → b', false, true],
      ['handoff b → c', true, false],
    ]);
    expect(report.results[0]?.messages).toEqual(['too big']);
    expect(report.blocking).toHaveLength(1);
  });

  it('shows advisory failures without blocking', () => {
    const report = evaluatePolicies([compilePolicy(small('advisory'))], inputs, context);
    expect(report.results[0]?.passed).toBe(false);
    expect(report.blocking).toEqual([]);
  });

  it('lets an override clear a soft failure, recorded with actor and reason', () => {
    const override = { policy: 'small', reason: 'link upgraded', actor: 'ana' };
    const report = evaluatePolicies([compilePolicy(small('soft'))], inputs, context, { overrides: [override] });
    expect(report.blocking).toEqual([]);
    expect(report.results[0]?.override).toEqual(override);
  });

  it('never lets an override clear a hard failure, and refuses such an override', () => {
    const policies = [compilePolicy(small('hard'))];
    const override = { policy: 'small', reason: 'please', actor: 'ana' };
    expect(evaluatePolicies(policies, inputs, context, { overrides: [override] }).blocking).toHaveLength(1);
    expect(() => checkOverrides(policies, [override])).toThrow(/only soft policies can be overridden/);
    expect(() => checkOverrides(policies, [{ ...override, policy: 'nope' }])).toThrow(/no policy has this name/);
  });

  it('applies an exception until its date (inclusive) and reports it once expired', () => {
    const exception = compileException({
      policy: 'small',
      match: "handoff.to.name == 'b'",
      why: 'migration',
      approvedBy: 'org/team',
      until: '2026-12-05',
    });
    const policies = [compilePolicy(small('hard'))];
    const during = evaluatePolicies(policies, inputs, context, { exceptions: [exception] });
    expect(during.blocking).toEqual([]);
    expect(during.exceptionsUsed).toBe(1);
    expect(during.results[0]?.exception?.why).toBe('migration');
    const after = evaluatePolicies(
      policies,
      inputs,
      { ...context, now: '2026-12-06T00:00:01Z' },
      { exceptions: [exception] },
    );
    expect(after.blocking).toHaveLength(1);
    expect(after.exceptionsUsed).toBe(0);
    expect(after.expiredExceptions.map((e) => e.policy)).toEqual(['small']);
  });

  it('skips items the match excludes and blocks when an expression cannot be evaluated', () => {
    const matched = compilePolicy({ ...small('hard'), match: "handoff.from.name == 'b'" });
    expect(evaluatePolicies([matched], inputs, context).results.map((r) => r.item)).toEqual(['handoff b → c']);
    const typo = compilePolicy({ ...small('soft'), validations: [{ expression: 'handoff.byts < 1', message: 'm' }] });
    const report = evaluatePolicies([typo], inputs, context);
    expect(report.results[0]?.messages[0]).toMatch(/evaluation error: .*byts/);
    expect(report.blocking).toHaveLength(2);
  });

  it('matches regular expressions with RE2 (no look-ahead)', () => {
    const re = compilePolicy({
      ...small('hard'),
      validations: [{ expression: "handoff.to.name.matches('^(?=b)')", message: 'm' }],
    });
    expect(evaluatePolicies([re], inputs, context).results[0]?.messages[0]).toMatch(/evaluation error/);
  });

  it('stops when the evaluation budget is spent', () => {
    let t = 0;
    const clock = () => (t += 10);
    expect(() => evaluatePolicies([compilePolicy(small('hard'))], inputs, context, { budgetMs: 15, clock })).toThrow(
      /took longer than 15 ms/,
    );
  });
});

describe('compilePolicy', () => {
  it('places a syntax error at FILE:LINE:COL of the expression in its file', () => {
    const spec = {
      ...small('hard'),
      validations: [{ expression: 'a &&\n  b +', message: 'm', at: { file: 'p.yaml', line: 10, column: 7 } }],
    };
    expect(() => compilePolicy(spec)).toThrow(PolicyCompileError);
    // A multi-line expression is a block scalar whose lines are indented like its first (column 7):
    // the parser's column 5 on the second line is the file's column 6 + 5.
    expect(() => compilePolicy(spec)).toThrow(/^p\.yaml:11:11: policy small, validation 1 does not compile: /);
  });

  it('refuses comprehensions nested deeper than the bound', () => {
    const deep = 'handoff.steps.all(a, handoff.steps.all(b, handoff.steps.all(c, handoff.steps.all(d, true))))';
    expect(() => compilePolicy({ ...small('hard'), validations: [{ expression: deep, message: 'm' }] })).toThrow(
      /nest deeper than 3/,
    );
  });
});
