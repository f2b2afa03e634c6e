// Offline half of the release check (kfp-package-check.ts): a location that pins `kfp.version` in the
// file is known without asking it, so `validate` can already say that its KFP cannot read the
// package. Locations that do not pin a version are checked by `plan`, once their healthz answers.
import { describeRange, packageRefusals } from '../pipeline/kfp-package-check.js';
import type { PipelinePackage } from '../pipeline/package.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { SplitPipelineSpec } from './types.js';

export function checkPackageVersions(pkg: PipelinePackage, spec: SplitPipelineSpec): Diagnostic[] {
  const pinned = new Map<string, string>();
  for (const l of spec.spec.locations) if (l.kfp.version) pinned.set(l.name, l.kfp.version);
  return packageRefusals(pkg.kfpFields, pinned).flatMap((r) =>
    r.keys.map((k): Diagnostic => {
      const key = k.kind === 'field' ? `field "${k.name}" of ${k.of}` : `value "${k.name}" of ${k.of}`;
      const effect = k.document === 'pipeline spec' ? 'refuses the package' : 'would drop its platform spec';
      return {
        file: pkg.file,
        line: k.line,
        col: k.col,
        severity: 'error',
        message:
          `location ${r.location} pins kfp.version ${r.kfpVersion}, which ${effect}: ${key} is ${describeRange(k.kfp)}; ` +
          'upgrade KFP there or compile with an SDK that release reads',
      };
    }),
  );
}
