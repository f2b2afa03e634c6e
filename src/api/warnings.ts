import type { Project } from '../split-file/load-project.js';

/** Stage-layout facts a plan shows beside its operations. */
export function warningsOf(project: Project): string[] {
  const out: string[] = [];
  for (const l of project.layouts) {
    const changed = l.enableCaching.filter((k) => {
      const t = project.graph.rootTasks.get(k)!;
      return !t.cachingEnabled && t.kind !== 'dag';
    });
    if (changed.length > 0) out.push(`stage ${l.index} (${l.location}): caching switched on for ${changed.join(', ')} so they can be handed off or served from cache`);
  }
  for (const d of project.diagnostics) if (d.severity === 'warning') out.push(`${d.file}:${d.line}: ${d.message}`);
  return out;
}
