// Reads a compiled KFP pipeline package: the IR YAML (or JSON) the KFP SDK writes with
// `compiler.Compiler().compile(...)`. One document (the PipelineSpec) or two (PipelineSpec, then the
// PlatformSpec: `sdk/python/kfp/compiler/pipeline_spec_builder.py` appends it with `yaml.dump_all`).
// A KFP v1 package (an Argo Workflow) is recognised and refused: v1 caching works differently
// (`backend/src/cache`), and split-pipelines supports KFP v2 only.
import jsYaml from 'js-yaml';
import { LineCounter, parseAllDocuments, isMap, isSeq, type Document, type Node } from 'yaml';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { IrPipelineSpec, IrPlatformSpec } from './ir.js';
import { describeRange, type PackageKeyAt } from './kfp-package-check.js';
import { readPipelineSpecJson, readPlatformSpecJson, type KfpFieldUse } from './protojson-read.js';

/** Compiled packages are usually well under 1 MiB; large ones are still fine, hostile ones are not. */
export const MAX_PACKAGE_BYTES = 32 * 1024 * 1024;

export interface PipelinePackage {
  file: string;
  text: string;
  spec: IrPipelineSpec;
  platformSpec?: IrPlatformSpec;
  /** Position of a node in the package, by path through the first (or `doc`-th) document. */
  positionOf(path: readonly (string | number)[], doc?: number): { line: number; col: number };
  /** Keys only some KFP releases accept (kfp-package-check.ts decides per location). */
  kfpFields: PackageKfpField[];
}

export type PackageKfpField = PackageKeyAt;

export interface PackageResult {
  pkg?: PipelinePackage;
  diagnostics: Diagnostic[];
}

function err(file: string, line: number, col: number, message: string): Diagnostic {
  return { file, line, col, severity: 'error', message };
}

export function parsePipelinePackage(text: string, file: string): PackageResult {
  if (Buffer.byteLength(text) > MAX_PACKAGE_BYTES) {
    return { diagnostics: [err(file, 1, 1, `pipeline package is larger than ${MAX_PACKAGE_BYTES / 1024 / 1024} MiB`)] };
  }
  const lineCounter = new LineCounter();
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false }) as Document.Parsed[];
  } catch (e) {
    return { diagnostics: [err(file, 1, 1, `cannot parse pipeline package: ${(e as Error).message}`)] };
  }
  if (!Array.isArray(docs)) docs = [docs];
  const diagnostics: Diagnostic[] = [];
  for (const doc of docs) {
    for (const e of doc.errors) {
      const pos = lineCounter.linePos(e.pos[0]);
      diagnostics.push(err(file, pos.line, pos.col, `YAML syntax: ${e.message.split('\n')[0]}`));
    }
  }
  if (diagnostics.length > 0) {
    // The KFP SDK writes YAML with PyYAML, which accepts a few forms that strict YAML 1.2 parsers
    // refuse (e.g. continuation lines of a quoted scalar indented like the `- ` of its sequence;
    // see essential/placeholder_with_if_placeholder_none_input_value.yaml). KFP's own server reads
    // them with a lenient parser too, so fall back to a PyYAML-compatible reader before giving up.
    const loose = parseLoosely(text, file);
    return loose ?? { diagnostics };
  }
  const contents = docs.filter((d) => d.contents !== null);
  if (contents.length === 0) return { diagnostics: [err(file, 1, 1, 'pipeline package is empty')] };
  if (contents.length > 2) {
    const pos = lineCounter.linePos(contents[2]!.range[0]);
    return {
      diagnostics: [
        err(
          file,
          pos.line,
          pos.col,
          'a compiled KFP pipeline has one or two YAML documents (pipeline spec, platform spec); found more',
        ),
      ],
    };
  }
  const values: unknown[] = [];
  for (const d of contents) {
    try {
      values.push(d.toJS({ maxAliasCount: 100 }));
    } catch (e) {
      return { diagnostics: [err(file, 1, 1, `cannot read pipeline package: ${(e as Error).message}`)] };
    }
  }
  const positionOf = (path: readonly (string | number)[], doc = 0): { line: number; col: number } => {
    const node = nodeAt(contents[doc]?.contents ?? null, path);
    const offset = node?.range?.[0] ?? 0;
    return lineCounter.linePos(offset);
  };
  return interpret(values, text, file, positionOf);
}

type PositionOf = (path: readonly (string | number)[], doc?: number) => { line: number; col: number };

function parseLoosely(text: string, file: string): PackageResult | undefined {
  let values: unknown[];
  try {
    values = jsYaml
      .loadAll(text, undefined, { schema: jsYaml.CORE_SCHEMA, json: false })
      .filter((v) => v !== null && v !== undefined);
  } catch {
    return undefined;
  }
  if (values.length === 0 || values.length > 2) return undefined;
  // js-yaml shares aliased nodes instead of copying them; refuse anything that would expand hugely.
  if (values.some((v) => countNodes(v, 2_000_000) < 0)) {
    return { diagnostics: [err(file, 1, 1, 'pipeline package expands to too many YAML nodes (alias bomb?)')] };
  }
  // No node positions from this reader: point at the line where the key first appears.
  const positionOf: PositionOf = (path) => {
    const last = [...path].reverse().find((p): p is string => typeof p === 'string');
    if (last === undefined) return { line: 1, col: 1 };
    const idx = text.search(new RegExp(`^\\s*-?\\s*${last.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:`, 'm'));
    if (idx < 0) return { line: 1, col: 1 };
    const before = text.slice(0, idx);
    const line = before.split('\n').length;
    const lineText = text.slice(idx).split('\n')[0] ?? '';
    return { line, col: lineText.length - lineText.trimStart().length + 1 };
  };
  return interpret(values, text, file, positionOf);
}

function countNodes(v: unknown, budget: number): number {
  let n = 0;
  const stack: unknown[] = [v];
  while (stack.length > 0) {
    const cur = stack.pop();
    if (++n > budget) return -1;
    if (cur !== null && typeof cur === 'object') for (const child of Object.values(cur)) stack.push(child);
  }
  return n;
}

function interpret(values: unknown[], text: string, file: string, positionOf: PositionOf): PackageResult {
  const diagnostics: Diagnostic[] = [];
  const first = values[0];
  if (!isPlainObject(first))
    return {
      diagnostics: [err(file, 1, 1, 'pipeline package must be a YAML mapping (a compiled KFP v2 PipelineSpec)')],
    };
  if (
    first['kind'] === 'Workflow' &&
    typeof first['apiVersion'] === 'string' &&
    first['apiVersion'].startsWith('argoproj.io/')
  ) {
    const p = positionOf(['kind']);
    // KFP 2's backend compiles a v2 run into a Workflow too, labelled as such
    // (`backend/src/v2/compiler/argocompiler/argo.go`): that is a run's workflow, not a package.
    const podMetadata = ((first['spec'] as Record<string, unknown> | undefined)?.['podMetadata'] ?? {}) as Record<
      string,
      Record<string, unknown> | undefined
    >;
    const v2 =
      podMetadata['labels']?.['pipelines.kubeflow.org/v2_component'] === 'true' ||
      podMetadata['annotations']?.['pipelines.kubeflow.org/v2_component'] === 'true';
    const message = v2
      ? "this is an Argo Workflow that KFP compiled from a v2 pipeline (a run's workflow), not a pipeline package: " +
        'use the compiled pipeline YAML the KFP SDK writes (`kfp dsl compile`)'
      : 'this is a KFP v1 package (an Argo Workflow); split-pipelines needs a KFP v2 pipeline: ' +
        'compile it with the KFP SDK 2.x (`kfp dsl compile` or `compiler.Compiler().compile`)';
    return { diagnostics: [err(file, p.line, p.col, message)] };
  }
  // `kfp.client` and some tools wrap the spec as {pipeline_spec, platform_spec}; accept that form too.
  let specValue: unknown = first;
  let platformValue: unknown = values[1];
  let specPathPrefix: string[] = [];
  let platformInFirst = false;
  if (isPlainObject(first) && 'pipeline_spec' in first && !('root' in first)) {
    specValue = first['pipeline_spec'];
    platformInFirst = first['platform_spec'] !== undefined && first['platform_spec'] !== null;
    platformValue = first['platform_spec'] ?? values[1];
    specPathPrefix = ['pipeline_spec'];
  }
  // Read as KFP's API server reads it (see protojson-read.ts) before anything is checked, walked or hashed.
  const kfpFields: PackageKfpField[] = [];
  const keep = (
    uses: KfpFieldUse[],
    document: PackageKfpField['document'],
    at: (path: (string | number)[]) => { line: number; col: number },
  ) => {
    for (const u of uses) {
      const p = at(u.path);
      kfpFields.push({ ...u, document, line: p.line, col: p.col });
      // No release we know accepts it; a newer KFP might, so plan decides per location and this only warns.
      if (!u.kfp)
        diagnostics.push({
          file,
          line: p.line,
          col: p.col,
          severity: 'warning',
          message: unknownKeyMessage(u, document),
        });
    }
  };
  if (isPlainObject(specValue)) {
    const read = readPipelineSpecJson(specValue);
    specValue = read.value;
    const at = (path: (string | number)[]) => positionOf([...specPathPrefix, ...path]);
    for (const pr of read.problems) {
      const p = at(pr.path);
      diagnostics.push(err(file, p.line, p.col, pr.message));
    }
    keep(read.kfpFields, 'pipeline spec', at);
  }
  if (isPlainObject(platformValue) && isPlainObject(platformValue['platforms'])) {
    const read = readPlatformSpecJson(platformValue);
    const platforms = platformValue['platforms'];
    platformValue = read.value;
    const at = (path: (string | number)[]) =>
      platformInFirst ? positionOf(['platform_spec', ...path]) : positionOf(path, 1);
    for (const pr of read.problems) {
      const p = at(pr.path);
      diagnostics.push(err(file, p.line, p.col, pr.message));
    }
    // KFP reads a platform document only when it has a `kubernetes` platform (v2_template.go:428-440).
    if ('kubernetes' in platforms) keep(read.kfpFields, 'platform spec', at);
  }
  const spec = specValue as Record<string, unknown>;
  const missing = ['pipelineInfo', 'root'].filter((k) => !isPlainObject(spec[k]));
  if (missing.length > 0) {
    const p = positionOf(specPathPrefix);
    return {
      diagnostics: [
        err(
          file,
          p.line,
          p.col,
          `not a compiled KFP v2 pipeline: missing ${missing.join(' and ')} (compile the pipeline with the KFP SDK 2.x)`,
        ),
      ],
    };
  }
  // KFP's API server refuses other schema versions at upload (`backend/src/apiserver/template/
  // v2_template.go`): 2.0.0 packages (SDK 1.x v2-compatible mode) declare inputs differently.
  if (spec['schemaVersion'] !== '2.1.0') {
    const p = positionOf([...specPathPrefix, 'schemaVersion']);
    return {
      diagnostics: [
        err(
          file,
          p.line,
          p.col,
          'KFP only supports pipeline schema version 2.1.0, but this package has ' +
            `${spec['schemaVersion'] === undefined ? 'no schemaVersion' : JSON.stringify(spec['schemaVersion'])}: ` +
            'recompile it with the KFP SDK 2.x',
        ),
      ],
    };
  }
  const prefixed = (path: readonly (string | number)[], doc = 0) =>
    positionOf(doc === 0 ? [...specPathPrefix, ...path] : path, doc);
  const pkg: PipelinePackage = {
    file,
    text,
    spec: spec as unknown as IrPipelineSpec,
    positionOf: prefixed,
    kfpFields,
  };
  if (platformValue !== undefined && platformValue !== null) {
    if (!isPlainObject(platformValue) || !isPlainObject(platformValue['platforms'])) {
      const p = positionOf([], 1);
      diagnostics.push(
        err(file, p.line, p.col, 'the second YAML document must be a KFP platform spec (a mapping with `platforms`)'),
      );
    } else {
      pkg.platformSpec = platformValue;
    }
  }
  return { pkg, diagnostics };
}

function unknownKeyMessage(u: KfpFieldUse, document: PackageKfpField['document']): string {
  const what = u.kind === 'field' ? `field "${u.name}" of ${u.of}` : `value "${u.name}" of ${u.of}`;
  return (
    `${what} in the ${document} is ${describeRange(u.kfp)}: their API servers refuse ` +
    (document === 'pipeline spec' ? 'the package' : 'to read the platform spec and drop it') +
    "; plan checks it against each location's KFP version (recompile with the KFP SDK that matches your clusters)"
  );
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nodeAt(node: unknown, path: readonly (string | number)[]): Node | null {
  let cur = node as Node | null;
  let best = cur;
  for (const seg of path) {
    if (isMap(cur)) {
      // A field may be written under its proto name (`parameter_type`); the IR uses the JSON name.
      const keyOf = (it: { key: unknown }) => (it.key as { value?: unknown } | null)?.value;
      const pair =
        cur.items.find((it) => keyOf(it) === seg) ??
        cur.items.find((it) => typeof seg === 'string' && keyOf(it) === protoNameOf(seg));
      if (!pair) return best;
      cur = (pair.value ?? pair.key) as Node | null;
    } else if (isSeq(cur) && typeof seg === 'number') {
      cur = (cur.items[seg] ?? null) as Node | null;
    } else {
      return best;
    }
    if (cur) best = cur;
  }
  return best;
}

/** `parameterType` → `parameter_type` (the inverse of protoc's JSON name for the IR's fields). */
function protoNameOf(jsonName: string): string {
  return jsonName.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
