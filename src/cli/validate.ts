import { formatDiagnostic, hasErrors } from '../diagnostics/diagnostic.js';
import { loadProject } from '../split-file/load-project.js';
import { EXIT } from './exit.js';
import type { Output } from './output.js';
import { filesOf, type ParsedArgs } from './run.js';

export async function validateCommand(args: ParsedArgs, out: Output): Promise<number> {
  let failed = false;
  for (const file of [...filesOf(args), ...args.positionals]) {
    const { project, diagnostics } = await loadProject(file);
    for (const d of diagnostics) out.stderr(`${formatDiagnostic(d)}\n`);
    if (hasErrors(diagnostics) || !project) {
      failed = true;
      const n = diagnostics.filter((d) => d.severity === 'error').length;
      out.stderr(`${file}: ${n} error(s)\n`);
    } else {
      out.stdout(
        `${file}: valid (split pipeline ${project.spec.metadata.name}, revision ${project.revision.short}, ${project.layouts.length} stages)\n`,
      );
    }
  }
  return failed ? EXIT.error : EXIT.ok;
}
