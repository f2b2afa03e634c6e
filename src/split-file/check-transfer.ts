// Checks of the transfer settings a JSON Schema cannot express: an explicit `spec.transfer.engine`
// must be allowed by every location that lists its engines, and a location allowing the Job engine
// must say how to run the Job (`transfer.kubernetesJob`, whose image the schema pins by digest).
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { SplitPipelineSpec } from './types.js';

export function checkTransfer(
  file: string,
  spec: SplitPipelineSpec,
  at: (path: readonly (string | number)[]) => { line: number; col: number },
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const engine = spec.spec.transfer?.engine ?? 'auto';
  spec.spec.locations.forEach((loc, i) => {
    const t = loc.transfer;
    const engines = t?.engines;
    if (engine !== 'auto' && engines !== undefined && !engines.includes(engine)) {
      out.push({
        file,
        ...at(['spec', 'locations', i, 'transfer', 'engines']),
        severity: 'error',
        message:
          `spec.transfer.engine is ${engine}, but location "${loc.name}" allows only ${engines.join(', ')}: ` +
          `add ${engine} to its transfer.engines, or set spec.transfer.engine to auto`,
      });
    }
    const wantsJob = engines?.includes('kubernetes-job') ?? false;
    if (wantsJob && t?.kubernetesJob === undefined) {
      out.push({
        file,
        ...at(['spec', 'locations', i, 'transfer', 'engines']),
        severity: 'error',
        message:
          `location "${loc.name}" allows the kubernetes-job transfer engine but has no transfer.kubernetesJob: ` +
          'give at least its image (pinned by digest) and the Secret with its store credentials',
      });
    }
  });
  if (engine === 'kubernetes-job' && !spec.spec.locations.some((l) => l.transfer?.kubernetesJob !== undefined)) {
    out.push({
      file,
      ...at(['spec', 'transfer', 'engine']),
      severity: 'error',
      message: 'spec.transfer.engine is kubernetes-job, but no location has transfer.kubernetesJob to run the Job with',
    });
  }
  return out;
}
