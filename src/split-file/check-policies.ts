// Policies and exceptions, from the file (`spec.policies`, `spec.policyExceptions`) and from the files
// it names (`spec.policyFiles`: YAML with `policies:` and `exceptions:`), with the position of every
// expression, compiled once: a policy that does not compile is a `validate` error at FILE:LINE:COL.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import {
  compileException,
  compilePolicy,
  PolicyCompileError,
  type CompiledException,
  type CompiledPolicy,
} from '../policy/compile.js';
import { BUILT_IN_POLICIES, effectiveBuiltIn, settingProblem } from '../policy/defaults.js';
import type { PolicyException, PolicySpec, SourcePosition } from '../policy/types.js';
import { parseSpecSource, SOURCE_LIMITS, type SpecSource } from './source.js';
import type { PolicyExceptionInFile, PolicySpecInFile, SplitPipelineSpec } from './types.js';

export interface ProjectPolicies {
  policies: CompiledPolicy[];
  exceptions: CompiledException[];
}

type Path = readonly (string | number)[];

/** Where the text of a scalar starts: after a quote, or on the line after a block indicator (`|`, `>`). */
export function expressionStart(source: SpecSource, path: Path): SourcePosition {
  const { line, col } = source.positionOf(path);
  const lines = source.text.split(/\r\n|\r|\n/);
  const text = lines[line - 1] ?? '';
  const first = text[col - 1];
  if (first === '"' || first === "'") return { file: source.file, line, column: col + 1 };
  if (first === '|' || first === '>') {
    const next = lines[line] ?? '';
    return { file: source.file, line: line + 1, column: next.length - next.trimStart().length + 1 };
  }
  return { file: source.file, line, column: col };
}

function withPositions(source: SpecSource, base: Path, raw: PolicySpecInFile[] | undefined): PolicySpec[] {
  return (raw ?? []).map((p, i) => {
    const spec: PolicySpec = {
      ...p,
      at: expressionStart(source, [...base, i]),
      validations: p.validations.map((v, j) => ({
        ...v,
        at: expressionStart(source, [...base, i, 'validations', j, 'expression']),
      })),
    };
    if (p.match !== undefined) spec.matchAt = expressionStart(source, [...base, i, 'match']);
    return spec;
  });
}

function exceptionsWithPositions(
  source: SpecSource,
  base: Path,
  raw: PolicyExceptionInFile[] | undefined,
): PolicyException[] {
  return (raw ?? []).map((e, i) => {
    const spec: PolicyException = { ...e, at: expressionStart(source, [...base, i]) };
    if (e.match !== undefined) spec.matchAt = expressionStart(source, [...base, i, 'match']);
    return spec;
  });
}

function diagnosticOf(at: SourcePosition | undefined, message: string): Diagnostic {
  return { file: at?.file ?? '<policy>', line: at?.line ?? 1, col: at?.column ?? 1, severity: 'error', message };
}

/** A policy file's shape (the schema's `policy` and `policyException` definitions, checked by hand: ajv holds the whole file's schema). */
function policyFileProblems(data: Record<string, unknown>): { path: Path; message: string }[] {
  const out: { path: Path; message: string }[] = [];
  const str = (v: unknown) => typeof v === 'string' && v.length > 0;
  for (const k of Object.keys(data))
    if (k !== 'policies' && k !== 'exceptions')
      out.push({ path: [k], message: `unknown field "${k}" (a policy file has policies: and exceptions:)` });
  const list = (key: string): unknown[] => {
    const v = data[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      out.push({ path: [key], message: `${key} must be a list` });
      return [];
    }
    return v;
  };
  list('policies').forEach((p, i) => {
    const at = (f: string) => ['policies', i, f];
    if (typeof p !== 'object' || p === null)
      return out.push({ path: ['policies', i], message: 'a policy is a mapping' });
    const r = p as Record<string, unknown>;
    for (const f of ['name', 'enforcement', 'scope'])
      if (!str(r[f])) out.push({ path: at(f), message: `missing field "${f}" (a non-empty string)` });
    if (r.enforcement !== undefined && !['advisory', 'soft', 'hard'].includes(r.enforcement as string))
      out.push({ path: at('enforcement'), message: 'enforcement is one of advisory, soft, hard' });
    if (r.scope !== undefined && !['handoff', 'stage', 'plan'].includes(r.scope as string))
      out.push({ path: at('scope'), message: 'scope is one of handoff, stage, plan' });
    if (r.match !== undefined && !str(r.match))
      out.push({ path: at('match'), message: 'match is a CEL expression (a string)' });
    if (r.owners !== undefined && !(Array.isArray(r.owners) && r.owners.every(str)))
      out.push({ path: at('owners'), message: 'owners is a list of GitHub users or org/team names' });
    const known = ['name', 'description', 'enforcement', 'owners', 'scope', 'match', 'validations'];
    for (const k of Object.keys(r))
      if (!known.includes(k))
        out.push({ path: at(k), message: `unknown field "${k}"; known fields: ${known.join(', ')}` });
    const vs = r.validations;
    if (!Array.isArray(vs) || vs.length === 0)
      out.push({ path: at('validations'), message: 'validations is a non-empty list of {expression, message}' });
    else
      vs.forEach((v, j) => {
        const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
        for (const f of ['expression', 'message'])
          if (!str(o[f]))
            out.push({
              path: ['policies', i, 'validations', j],
              message: `validation needs "${f}" (a non-empty string)`,
            });
      });
  });
  list('exceptions').forEach((e, i) => {
    if (typeof e !== 'object' || e === null)
      return out.push({ path: ['exceptions', i], message: 'an exception is a mapping' });
    const r = e as Record<string, unknown>;
    for (const f of ['policy', 'why', 'approvedBy', 'until'])
      if (!str(r[f])) out.push({ path: ['exceptions', i, f], message: `missing field "${f}" (a non-empty string)` });
    const known = ['policy', 'match', 'why', 'approvedBy', 'until'];
    for (const k of Object.keys(r))
      if (!known.includes(k))
        out.push({ path: ['exceptions', i, k], message: `unknown field "${k}"; known fields: ${known.join(', ')}` });
  });
  return out;
}

export async function loadPolicyFile(
  file: string,
  shown: string,
): Promise<{ policies: PolicySpec[]; exceptions: PolicyException[]; diagnostics: Diagnostic[] }> {
  let text: string;
  try {
    const bytes = await readFile(file);
    if (bytes.length > SOURCE_LIMITS.maxBytes) throw new Error(`larger than ${SOURCE_LIMITS.maxBytes} bytes`);
    text = bytes.toString('utf8');
  } catch (e) {
    return {
      policies: [],
      exceptions: [],
      diagnostics: [
        diagnosticOf(
          { file: shown, line: 1, column: 1 },
          `cannot read policy file: ${e instanceof Error ? e.message : String(e)}`,
        ),
      ],
    };
  }
  const parsed = parseSpecSource(text, shown);
  if (!parsed.data) return { policies: [], exceptions: [], diagnostics: parsed.diagnostics };
  const problems = policyFileProblems(parsed.data);
  if (problems.length > 0) {
    return {
      policies: [],
      exceptions: [],
      diagnostics: problems.map((p) => parsed.source.diagnosticAt(p.path, p.message)),
    };
  }
  return {
    policies: withPositions(parsed.source, ['policies'], parsed.data.policies as PolicySpecInFile[] | undefined),
    exceptions: exceptionsWithPositions(
      parsed.source,
      ['exceptions'],
      parsed.data.exceptions as PolicyExceptionInFile[] | undefined,
    ),
    diagnostics: [],
  };
}

/** Collects and compiles the project's policies and exceptions. */
export async function checkPolicies(
  spec: SplitPipelineSpec,
  source: SpecSource,
  dir: string,
): Promise<{ policies: ProjectPolicies; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const specs = [...withPositions(source, ['spec', 'policies'], spec.spec.policies)];
  const exceptions = exceptionsWithPositions(source, ['spec', 'policyExceptions'], spec.spec.policyExceptions);
  for (const [i, name] of (spec.spec.policyFiles ?? []).entries()) {
    const loaded = await loadPolicyFile(resolve(dir, name), name);
    if (loaded.diagnostics.some((d) => d.message.startsWith('cannot read policy file'))) {
      diagnostics.push(
        source.diagnosticAt(
          ['spec', 'policyFiles', i],
          `policy file "${name}" cannot be read: does it exist (relative to this file)?`,
        ),
      );
      continue;
    }
    diagnostics.push(...loaded.diagnostics);
    specs.push(...loaded.policies);
    exceptions.push(...loaded.exceptions);
  }
  const builtIns = builtInPolicies(spec, source, specs, diagnostics);
  const compiled = compileAll([...builtIns, ...specs], exceptions);
  return { policies: compiled.policies, diagnostics: [...diagnostics, ...compiled.diagnostics] };
}

/**
 * The built-in default policies this file is evaluated against (src/policy/defaults.ts): each one the
 * file uses what it guards or sets under `spec.defaultPolicies`, with the file's setting when the
 * built-in allows it. A policy of the file may not take a built-in's name (it would hide the rule).
 */
function builtInPolicies(
  spec: SplitPipelineSpec,
  source: SpecSource,
  specs: PolicySpec[],
  diagnostics: Diagnostic[],
): PolicySpec[] {
  const out: PolicySpec[] = [];
  const settings = spec.spec.defaultPolicies ?? {};
  for (const builtIn of BUILT_IN_POLICIES) {
    const clash = specs.find((p) => p.name === builtIn.name);
    if (clash) {
      diagnostics.push(
        diagnosticOf(
          clash.at,
          `policy "${builtIn.name}" has the name of a built-in policy; ` +
            `to relax the built-in set spec.defaultPolicies.${builtIn.name}, otherwise choose another name`,
        ),
      );
    }
    const setting = settings[builtIn.name];
    if (setting) {
      const problem = settingProblem(builtIn, setting);
      if (problem) {
        diagnostics.push(source.diagnosticAt(['spec', 'defaultPolicies', builtIn.name, 'enforcement'], problem));
        continue;
      }
    }
    if (setting || builtIn.applies({ parametersFromEnv: spec.spec.pipeline.parametersFromEnv ?? {} }))
      out.push(effectiveBuiltIn(builtIn, setting));
  }
  return out;
}

/** Compiles policies and exceptions (names unique, exceptions naming a policy); every problem is a diagnostic. */
export function compileAll(
  specs: PolicySpec[],
  exceptions: PolicyException[],
): { policies: ProjectPolicies; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const policies: CompiledPolicy[] = [];
  const seen = new Map<string, PolicySpec>();
  for (const p of specs) {
    const earlier = seen.get(p.name);
    if (earlier) {
      // A built-in (no position) taken by a policy of the file is reported where it is checked.
      if (earlier.at)
        diagnostics.push(
          diagnosticOf(p.at, `policy "${p.name}" is declared twice (also at ${earlier.at.file}:${earlier.at.line})`),
        );
      continue;
    }
    seen.set(p.name, p);
    try {
      policies.push(compilePolicy(p));
    } catch (e) {
      if (!(e instanceof PolicyCompileError)) throw e;
      diagnostics.push(compileDiagnostic(e));
    }
  }
  const compiledExceptions: CompiledException[] = [];
  for (const e of exceptions) {
    if (!seen.has(e.policy)) {
      diagnostics.push(
        diagnosticOf(
          e.at,
          `exception for policy "${e.policy}": no policy has this name; policies: ${[...seen.keys()].join(', ') || '(none)'}`,
        ),
      );
      continue;
    }
    if (Number.isNaN(Date.parse(e.until))) {
      diagnostics.push(
        diagnosticOf(e.at, `exception for policy "${e.policy}": until "${e.until}" is not a date (YYYY-MM-DD)`),
      );
      continue;
    }
    try {
      compiledExceptions.push(compileException(e));
    } catch (err) {
      if (!(err instanceof PolicyCompileError)) throw err;
      diagnostics.push(compileDiagnostic(err));
    }
  }
  return { policies: { policies, exceptions: compiledExceptions }, diagnostics };
}

/** PolicyCompileError messages start with `FILE:LINE:COL: `; a diagnostic carries them as fields. */
function compileDiagnostic(e: PolicyCompileError): Diagnostic {
  const m = /^(.*):(\d+):(\d+): ([\s\S]*)$/.exec(e.problem);
  if (!m) return { file: '<policy>', line: 1, col: 1, severity: 'error', message: e.problem };
  return {
    file: m[1] ?? '<policy>',
    line: Number(m[2]),
    col: Number(m[3]),
    severity: 'error',
    message: m[4] ?? e.problem,
  };
}
