import { readFile } from 'node:fs/promises';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { buildGraph, type PipelineGraph } from './graph.js';
import { MAX_PACKAGE_BYTES, parsePipelinePackage } from './package.js';
import { stat } from 'node:fs/promises';

export interface LoadedPipeline {
  graph?: PipelineGraph;
  diagnostics: Diagnostic[];
}

/** Reads and parses a compiled KFP v2 package; every problem comes back as a diagnostic. */
export async function loadPipelineFile(file: string, displayName = file): Promise<LoadedPipeline> {
  let text: string;
  try {
    const st = await stat(file);
    if (!st.isFile())
      return {
        diagnostics: [
          { file: displayName, line: 1, col: 1, severity: 'error', message: 'pipeline package is not a file' },
        ],
      };
    if (st.size > MAX_PACKAGE_BYTES) {
      return {
        diagnostics: [
          {
            file: displayName,
            line: 1,
            col: 1,
            severity: 'error',
            message: `pipeline package is larger than ${MAX_PACKAGE_BYTES / 1024 / 1024} MiB`,
          },
        ],
      };
    }
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    return {
      diagnostics: [
        { file: displayName, line: 1, col: 1, severity: 'error', message: `cannot read pipeline package (${code})` },
      ],
    };
  }
  return parsePipelineText(text, displayName);
}

export function parsePipelineText(text: string, file: string): LoadedPipeline {
  const parsed = parsePipelinePackage(text, file);
  if (!parsed.pkg) return { diagnostics: parsed.diagnostics };
  const built = buildGraph(parsed.pkg);
  const result: LoadedPipeline = { diagnostics: [...parsed.diagnostics, ...built.diagnostics] };
  if (built.graph) result.graph = built.graph;
  return result;
}
