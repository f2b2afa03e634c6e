// Loading a split-pipeline.yaml: text → YAML document (guarded) → schema → literal secrets →
// locations and stages. Every check that still makes sense runs, so the user sees all problems at
// once; each is a diagnostic with FILE:LINE:COL, never a throw.

import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { checkLocations } from './check-locations.js';
import { sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import { formatPath } from './path.js';
import { validateAgainstSchema } from './schema-validate.js';
import { findLiteralSecrets } from './secrets.js';
import { parseSpecSource, SOURCE_LIMITS, SpecSource, tooLarge } from './source.js';
import type { SplitPipelineSpec } from './types.js';

/** More problems than this in one file are summarised: the first ones are what a human fixes first. */
export const MAX_DIAGNOSTICS = 100;

export interface LoadedSpec {
  /**
   * The spec, with the schema's defaults filled in; present whenever the file matches the schema.
   * Semantic problems (secrets, locations) do not remove it: check `hasErrors(diagnostics)`.
   */
  spec?: SplitPipelineSpec;
  /** Every problem found, sorted by position. */
  diagnostics: Diagnostic[];
  /** The text and its positions (`positionOf`), for later checks' diagnostics. */
  source: SpecSource;
  /** The file's name as given (used in diagnostics). */
  file: string;
  /** Absolute directory of the file; relative paths in the spec are resolved against it. */
  dir: string;
}

/** Reads and checks a spec file. Never throws for a problem with the file itself. */
export async function loadSpecFile(path: string): Promise<LoadedSpec> {
  const dir = dirname(resolve(path));
  const failed = (message: string, line = 1, col = 1): LoadedSpec => ({
    diagnostics: [{ file: path, line, col, severity: 'error', message }],
    source: new SpecSource(path, ''),
    file: path,
    dir,
  });
  let bytes: Buffer;
  try {
    const info = await stat(path);
    if (info.isDirectory()) return failed('cannot read file: it is a directory');
    if (info.size > SOURCE_LIMITS.maxBytes) return { ...failed(''), diagnostics: [tooLarge(path, info.size)] };
    bytes = await readFile(path);
  } catch (err) {
    return failed(`cannot read file: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (bytes.length > SOURCE_LIMITS.maxBytes) return { ...failed(''), diagnostics: [tooLarge(path, bytes.length)] };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const { line, col } = firstInvalidUtf8(bytes);
    return failed('file is not UTF-8 text (is it binary, or saved in another encoding?)', line, col);
  }
  return { ...loadSpecText(text, path), dir };
}

/** Checks spec text; `fileName` is what diagnostics name, and its directory resolves relative paths. */
export function loadSpecText(text: string, fileName: string): LoadedSpec {
  const parsed = parseSpecSource(text, fileName);
  const { source } = parsed;
  const diagnostics = [...parsed.diagnostics];
  let spec: SplitPipelineSpec | undefined;
  if (parsed.data !== undefined) {
    // Validate a copy: the schema fills in defaults, the other checks should see what was written.
    const withDefaults = structuredClone(parsed.data);
    const schema = validateAgainstSchema(withDefaults);
    const secrets = findLiteralSecrets(parsed.data);
    // A secret under an unknown key (`auth.token`) is one problem: the secret message says more.
    const secretPaths = new Set(secrets.map((f) => formatPath(f.path)));
    const schemaFindings = schema.findings.filter((f) => !secretPaths.has(formatPath(f.path)));
    for (const f of [...schemaFindings, ...secrets, ...checkLocations(parsed.data)])
      diagnostics.push(source.toDiagnostic(f));
    if (schema.valid) spec = withDefaults as unknown as SplitPipelineSpec;
  }
  return {
    spec,
    diagnostics: capped(sortDiagnostics(diagnostics), fileName),
    source,
    file: fileName,
    dir: dirname(resolve(fileName)),
  };
}

function capped(diagnostics: Diagnostic[], file: string): Diagnostic[] {
  if (diagnostics.length <= MAX_DIAGNOSTICS) return diagnostics;
  const shown = diagnostics.slice(0, MAX_DIAGNOSTICS);
  const last = shown[shown.length - 1] as Diagnostic;
  shown.push({
    file,
    line: last.line,
    col: last.col,
    severity: 'error',
    message: `${diagnostics.length - MAX_DIAGNOSTICS} more problems not shown; fix these first`,
  });
  return shown;
}

/** Line and column of the first byte sequence that is not UTF-8, for the "not UTF-8" diagnostic. */
function firstInvalidUtf8(bytes: Buffer): { line: number; col: number } {
  let line = 1;
  let col = 1;
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) break;
    let valid = true;
    for (let k = 1; k < length; k++) if (((bytes[i + k] as number) & 0xc0) !== 0x80) valid = false;
    if (!valid) break;
    if (b === 0x0a) {
      line++;
      col = 1;
    } else col++;
    i += length;
  }
  return { line, col };
}
