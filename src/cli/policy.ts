// `split-pipelines policy test [DIR]`: runs the policy tests found under DIR (files named
// `*_test.yaml`), each naming its policy files and giving inputs with expected results per policy.
// The built-in default policies (`policy list`) are tested like the files' own, by name: a file's
// rules are enforced together with them, so its CI can hold them to the same fixtures.
// Exit 0 when every expectation holds, 1 on a mismatch or a broken file (FILE:LINE:COL, no stack trace).
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { formatDiagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import { UserError } from '../errors/user-error.js';
import { runPolicyTests, type Expectation, type PolicyTestCase, type PolicyTestOutcome } from '../policy/test-suite.js';
import type { PolicyException, PolicySpec } from '../policy/types.js';
import { compileAll, loadPolicyFile } from '../split-file/check-policies.js';
import { parseSpecSource } from '../split-file/source.js';
import { BUILT_IN_POLICIES, effectiveBuiltIn } from '../policy/defaults.js';
import { loadProject } from '../split-file/load-project.js';
import { CliError, EXIT } from './exit.js';
import type { Output } from './output.js';
import { filesOf, type ParsedArgs } from './run.js';

const TEST_FILE = /_test\.ya?ml$/;
const EXPECTATIONS: readonly Expectation[] = ['pass', 'fail', 'skip'];

async function testFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && TEST_FILE.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

interface LoadedSuite {
  cases: PolicyTestCase[];
  policyFiles: string[];
  diagnostics: Diagnostic[];
}

async function loadSuite(file: string, shown: string): Promise<LoadedSuite> {
  const parsed = parseSpecSource(await readFile(file, 'utf8'), shown);
  const diagnostics = [...parsed.diagnostics];
  const data = parsed.data ?? {};
  const problem = (path: (string | number)[], message: string) =>
    diagnostics.push(parsed.source.diagnosticAt(path, message));
  const policyFiles = Array.isArray(data.policyFiles) ? data.policyFiles.map(String) : [];
  if (policyFiles.length === 0)
    problem(['policyFiles'], 'a policy test file names the policy files it tests: policyFiles: [FILE, ...]');
  const tests = Array.isArray(data.tests) ? (data.tests as unknown[]) : [];
  if (tests.length === 0)
    problem(
      ['tests'],
      'a policy test file has tests: [{name, handoff|stage|plan, context?, expect: {POLICY: pass|fail|skip}}]',
    );
  const cases: PolicyTestCase[] = [];
  tests.forEach((t, i) => {
    const o = (typeof t === 'object' && t !== null ? t : {}) as Record<string, unknown>;
    const expect = (typeof o.expect === 'object' && o.expect !== null ? o.expect : {}) as Record<string, unknown>;
    if (typeof o.name !== 'string') problem(['tests', i], 'a test needs a name');
    if (Object.keys(expect).length === 0)
      problem(['tests', i, 'expect'], 'a test expects results: expect: {POLICY: pass|fail|skip}');
    for (const [k, v] of Object.entries(expect)) {
      if (!EXPECTATIONS.includes(v as Expectation))
        problem(['tests', i, 'expect', k], `expected result is one of pass, fail, skip (got ${JSON.stringify(v)})`);
    }
    cases.push({
      ...(o as Partial<PolicyTestCase>),
      name: typeof o.name === 'string' ? o.name : `test ${i + 1}`,
      expect: expect as Record<string, Expectation>,
    });
  });
  return { cases, policyFiles, diagnostics };
}

/** A policy file's policy may not take a built-in's name (validate refuses it too: it would hide the rule). */
function builtInNameClashes(policies: readonly PolicySpec[]): Diagnostic[] {
  return policies
    .filter((p) => BUILT_IN_POLICIES.some((b) => b.name === p.name))
    .map((p) => ({
      file: p.at?.file ?? '<policy>',
      line: p.at?.line ?? 1,
      col: p.at?.column ?? 1,
      severity: 'error' as const,
      message:
        `policy "${p.name}" has the name of a built-in policy; ` +
        `to relax the built-in set spec.defaultPolicies.${p.name}, otherwise choose another name`,
    }));
}

/**
 * `split-pipelines policy list [-f FILE]`: every policy the file is evaluated against, the built-in
 * default policies first (with their reason, and whether this file triggers them), then the file's.
 */
async function policyList(args: ParsedArgs, out: Output): Promise<number> {
  const files = filesOf(args);
  if (files.length > 1) throw new CliError(`policy list expects one file, got ${files.length}: ${files.join(', ')}`);
  const file = files[0] ?? 'split-pipeline.yaml';
  const { project, diagnostics } = await loadProject(file);
  for (const d of diagnostics) out.stderr(`${formatDiagnostic(d)}\n`);
  if (!project) throw new CliError(`${file}: invalid; nothing was contacted`);
  const evaluated = project.policies?.policies ?? [];
  const where = (p: PolicySpec) => (p.reason !== undefined ? 'built-in' : p.at ? `${p.at.file}:${p.at.line}` : '');
  for (const builtIn of BUILT_IN_POLICIES) {
    const p = evaluated.find((c) => c.spec.name === builtIn.name)?.spec;
    const relax = `may be relaxed to: ${builtIn.relaxTo.join(', ') || 'nothing'} (spec.defaultPolicies.${builtIn.name})`;
    if (p) {
      out.stdout(
        `${p.name}  ${p.enforcement}  ${p.scope}  built-in  owners: ${(p.owners ?? []).join(', ') || 'none'}\n`,
      );
    } else {
      out.stdout(
        `${builtIn.name}  ${builtIn.enforcement}  ${builtIn.spec.scope}  built-in  not evaluated for this file: applies when ${builtIn.appliesWhen}\n`,
      );
    }
    out.stdout(`    why: ${builtIn.reason}\n    ${relax}\n`);
  }
  for (const { spec: p } of evaluated) {
    if (p.reason !== undefined) continue;
    out.stdout(
      `${p.name}  ${p.enforcement}  ${p.scope}  ${where(p)}  owners: ${(p.owners ?? []).join(', ') || 'none'}\n`,
    );
    if (p.description) out.stdout(`    ${p.description}\n`);
  }
  return EXIT.ok;
}

export async function policyCommand(args: ParsedArgs, out: Output): Promise<number> {
  const [sub, dirArg, ...extra] = args.positionals;
  if (sub === 'list' && dirArg === undefined) return policyList(args, out);
  if (sub !== 'test' || extra.length > 0) {
    throw new UserError(`policy: unknown subcommand ${sub === undefined ? '(none)' : `"${sub}"`}`, {
      code: 'usage',
      operation: 'policy',
      advice: 'run `split-pipelines policy test [DIR]` or `split-pipelines policy list [-f FILE]`',
    });
  }
  const dir = dirArg ?? '.';
  const files = await testFiles(dir);
  if (files.length === 0) {
    throw new UserError(`policy test: no policy tests (files named *_test.yaml) under ${dir}`, {
      code: 'policy-tests-missing',
      operation: 'policy test',
      advice: 'add a FILE_test.yaml with policyFiles: and tests:',
    });
  }
  const outcomes: PolicyTestOutcome[] = [];
  let broken = false;
  for (const file of files) {
    const shown = relative(process.cwd(), file) || file;
    const suite = await loadSuite(file, shown);
    const specs: PolicySpec[] = BUILT_IN_POLICIES.map((b) => effectiveBuiltIn(b, undefined));
    const exceptions: PolicyException[] = [];
    const diagnostics = [...suite.diagnostics];
    for (const p of suite.policyFiles) {
      const loaded = await loadPolicyFile(
        resolve(dirname(file), p),
        relative(process.cwd(), resolve(dirname(file), p)),
      );
      diagnostics.push(...loaded.diagnostics, ...builtInNameClashes(loaded.policies));
      specs.push(...loaded.policies);
      exceptions.push(...loaded.exceptions);
    }
    const compiled = compileAll(specs, exceptions);
    diagnostics.push(...compiled.diagnostics);
    if (diagnostics.length > 0) {
      for (const d of diagnostics) out.stderr(`${formatDiagnostic(d)}\n`);
      broken = true;
      continue;
    }
    for (const o of runPolicyTests(compiled.policies.policies, suite.cases)) {
      outcomes.push(o);
      const line = `${o.ok ? 'PASS' : 'FAIL'} ${shown}: ${o.test}: ${o.policy} expected ${o.expected}, got ${o.actual}`;
      out.stdout(`${line}${!o.ok && o.messages.length > 0 ? ` (${o.messages.join('; ')})` : ''}\n`);
    }
  }
  const failed = outcomes.filter((o) => !o.ok).length;
  out.stdout(`${outcomes.length - failed}/${outcomes.length} policy expectation(s) hold in ${files.length} file(s)\n`);
  return broken || failed > 0 ? EXIT.error : EXIT.ok;
}
