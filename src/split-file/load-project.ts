// Everything `validate` and `plan` know without contacting a location: the file, the compiled
// pipeline it names, the semantic checks between them, the stage layout and the revision.
import { checkData } from './check-data.js';
import { checkPackageVersions } from './check-package-versions.js';
import { relative } from 'node:path';
import type { PipelineGraph } from '../pipeline/graph.js';
import { loadPipelineFile } from '../pipeline/load.js';
import { layoutStages, type StageLayout } from '../plan/layout.js';
import { checkStages } from './check-stages.js';
import { checkTransfer } from './check-transfer.js';
import { checkPolicies, type ProjectPolicies } from './check-policies.js';
import { hasErrors, sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import { loadSpecFile } from './load.js';
import { isSecretKey } from './secrets.js';
import { packageRootFor, resolvePackagePath } from './package-path.js';
import { computeRevision, type Revision } from './revision.js';
import type { SplitPipelineSpec } from './types.js';
import type { JsonValue } from '../pipeline/ir.js';

export interface Project {
  file: string;
  dir: string;
  spec: SplitPipelineSpec;
  graph: PipelineGraph;
  packagePath: string;
  /** Package path as written in the file (for display). */
  packageName: string;
  revision: Revision;
  layouts: StageLayout[];
  diagnostics: Diagnostic[];
  /** Compiled policies and exceptions (`spec.policies`, `spec.policyFiles`, `spec.policyExceptions`). */
  policies?: ProjectPolicies;
}

export interface ProjectResult {
  project?: Project;
  /** All problems, sorted; warnings included. */
  diagnostics: Diagnostic[];
}

export interface LoadProjectOptions {
  /**
   * The repository the file belongs to, when it is not found by looking for `.git` above the file
   * (the Action's semantic diff loads both versions in a scratch copy laid out as in git).
   */
  root?: string;
}

export async function loadProject(file: string, options: LoadProjectOptions = {}): Promise<ProjectResult> {
  const loaded = await loadSpecFile(file);
  const diagnostics: Diagnostic[] = [...loaded.diagnostics];
  const spec = loaded.spec;
  if (!spec) return { diagnostics: sortDiagnostics(diagnostics) };
  const packageName = spec.spec.pipeline.package;
  const at = (path: readonly (string | number)[]) => loaded.source.positionOf(path);
  const pkgPos = at(['spec', 'pipeline', 'package']);
  diagnostics.push(...checkPipelineRoots(loaded.file, spec, at));
  diagnostics.push(...checkTransfer(loaded.file, spec, at));
  // A value already refused at the package's position (e.g. a pasted token) is not a path to open,
  // nor one to print in further messages.
  if (diagnostics.some((d) => d.severity === 'error' && d.line === pkgPos.line && d.col === pkgPos.col)) {
    return { diagnostics: sortDiagnostics(diagnostics) };
  }
  const root = options.root ? { dir: options.root, kind: 'repository' as const } : await packageRootFor(loaded.dir);
  const where = await resolvePackagePath(packageName, loaded.dir, root);
  if (!where.ok) {
    diagnostics.push({ file: loaded.file, ...pkgPos, severity: 'error', message: where.message });
    return { diagnostics: sortDiagnostics(diagnostics) };
  }
  const packagePath = where.path;
  const pipeline = await loadPipelineFile(packagePath, relative(process.cwd(), packagePath) || packagePath);
  if (!pipeline.graph) {
    if (pipeline.diagnostics.some((d) => d.message.startsWith('cannot read'))) {
      diagnostics.push({
        file: loaded.file,
        ...pkgPos,
        severity: 'error',
        message:
          `pipeline package "${packageName}" cannot be read: ` +
          `does the file exist (relative to ${relative(process.cwd(), loaded.dir) || '.'})?`,
      });
    }
    diagnostics.push(...pipeline.diagnostics);
    return { diagnostics: sortDiagnostics(diagnostics) };
  }
  diagnostics.push(...pipeline.diagnostics);
  const graph = pipeline.graph;
  diagnostics.push(...checkParameters(loaded.file, graph, spec, at));
  diagnostics.push(...checkStages(loaded.file, graph, spec.spec.stages, at, spec.spec));
  if (!hasErrors(diagnostics)) diagnostics.push(...checkData(loaded.file, graph, spec.spec, at));
  diagnostics.push(...checkPackageVersions(graph.pkg, spec));
  const policyCheck = await checkPolicies(spec, loaded.source, loaded.dir);
  diagnostics.push(...policyCheck.diagnostics);
  if (hasErrors(diagnostics)) return { diagnostics: sortDiagnostics(diagnostics) };
  const docs: JsonValue[] = [graph.pkg.spec as unknown as JsonValue];
  if (graph.pkg.platformSpec) docs.push(graph.pkg.platformSpec as unknown as JsonValue);
  const revision = computeRevision({
    pipeline: docs,
    parameters: spec.spec.pipeline.parameters ?? {},
    stages: spec.spec.stages,
    // Parameters from the environment count by name and variable, never by value (issue 12 item 8).
    ...(Object.keys(spec.spec.pipeline.parametersFromEnv ?? {}).length > 0
      ? { parametersFromEnv: spec.spec.pipeline.parametersFromEnv }
      : {}),
  });
  const sorted = sortDiagnostics(diagnostics);
  return {
    project: {
      file: loaded.file,
      dir: loaded.dir,
      spec,
      graph,
      packagePath,
      packageName,
      revision,
      layouts: layoutStages(graph, spec.spec.stages),
      diagnostics: sorted,
      policies: policyCheck.policies,
    },
    diagnostics: sorted,
  };
}

const SECRET_INPUT_HINT =
  ' (its name looks like a secret: name the environment variable that holds it under spec.pipeline.parametersFromEnv, ' +
  'which the built-in policy secret-parameters refuses unless the file relaxes it)';

/** Runtime parameters must be inputs of the pipeline; required inputs without a default must be set. */
function checkParameters(
  file: string,
  graph: PipelineGraph,
  spec: SplitPipelineSpec,
  at: (path: readonly (string | number)[]) => { line: number; col: number },
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const defs = graph.pkg.spec.root.inputDefinitions?.parameters ?? {};
  const fromEnv = spec.spec.pipeline.parametersFromEnv ?? {};
  for (const name of Object.keys(fromEnv)) {
    const where = ['spec', 'pipeline', 'parametersFromEnv', name];
    if (!(name in defs)) {
      out.push({
        file,
        ...at(where),
        severity: 'error',
        message:
          `parameter "${name}" (spec.pipeline.parametersFromEnv) is not an input of pipeline "${graph.name}"; ` +
          `its inputs are: ${Object.keys(defs).join(', ') || '(none)'}`,
      });
    } else if (name in (spec.spec.pipeline.parameters ?? {})) {
      out.push({
        file,
        ...at(where),
        severity: 'error',
        message: `parameter "${name}" is given both under spec.pipeline.parameters and spec.pipeline.parametersFromEnv; keep one`,
      });
    }
  }
  const given = { ...(spec.spec.pipeline.parameters ?? {}), ...fromEnv };
  for (const name of Object.keys(spec.spec.pipeline.parameters ?? {})) {
    if (!(name in defs)) {
      const known = Object.keys(defs);
      const inputs = known.length ? `; its inputs are: ${known.join(', ')}` : ' (it has no inputs)';
      out.push({
        file,
        ...at(['spec', 'pipeline', 'parameters', name]),
        severity: 'error',
        message: `parameter "${name}" is not an input of pipeline "${graph.name}"${inputs}`,
      });
    }
  }
  for (const [name, def] of Object.entries(defs)) {
    if (!(name in given) && def.defaultValue === undefined && !def.isOptional) {
      out.push({
        file,
        ...at(['spec', 'pipeline']),
        severity: 'error',
        message: `pipeline input "${name}" has no default: set it under spec.pipeline.parameters${isSecretKey(name) ? SECRET_INPUT_HINT : ''}`,
      });
    }
  }
  return out;
}

/**
 * Pipeline roots become S3 keys at every location: no `.`/`..` segments (also percent-encoded), no
 * empty segments, no backslashes, so a handoff can never write outside the location's root.
 */
function checkPipelineRoots(
  file: string,
  spec: SplitPipelineSpec,
  at: (path: readonly (string | number)[]) => { line: number; col: number },
): Diagnostic[] {
  const out: Diagnostic[] = [];
  spec.spec.locations.forEach((loc, i) => {
    const root = loc.objectStore.pipelineRoot;
    const m = /^[a-z0-9]+:\/\/([^/]+)(\/.*)?$/.exec(root);
    const path = m?.[2] ?? '';
    let decoded = path;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      /* keep the raw path */
    }
    const segments = decoded.split('/').slice(1);
    const bad =
      !m ||
      segments.some((s, j) => s === '.' || s === '..' || (s === '' && j < segments.length - 1)) ||
      /[\\\0]/.test(decoded);
    if (bad) {
      out.push({
        file,
        ...at(['spec', 'locations', i, 'objectStore', 'pipelineRoot']),
        severity: 'error',
        message:
          `spec.locations[${i}].objectStore.pipelineRoot (location ${loc.name}) must be <scheme>://<bucket>/<path> ` +
          'without "." or ".." segments, empty segments or backslashes (also percent-encoded)',
      });
    }
  });
  return out;
}
