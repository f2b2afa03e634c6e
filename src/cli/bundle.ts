// `export` and `import`: a handoff through a directory instead of the network (air-gapped locations).
import { ReconcileSession } from '../apply/session.js';
import { markerRunName } from '../split-file/run-names.js';
import { readBundle, writeBundle } from '../sync/bundle-io.js';
import { exportHandoff } from '../sync/export.js';
import { importBundle } from '../sync/handoff.js';
import { formatBytes } from '../units/bytes.js';
import { CliError, EXIT } from './exit.js';
import type { Output } from './output.js';
import { requireProject } from './plan.js';
import type { ParsedArgs } from './run.js';

async function sessionAt(args: ParsedArgs, out: Output) {
  const project = await requireProject(args, out);
  const location = args.values['location'];
  if (typeof location !== 'string') throw new CliError('--location NAME is required');
  if (!project.spec.spec.locations.some((l) => l.name === location)) {
    throw new CliError(
      `--location ${location}: no such location in ${project.file} (${project.spec.spec.locations.map((l) => l.name).join(', ')})`,
    );
  }
  const session = new ReconcileSession(project);
  await session.observeVersion(location);
  return { project, session, location };
}

export async function exportCommand(args: ParsedArgs, out: Output): Promise<number> {
  const target = args.values['output'];
  if (typeof target !== 'string') throw new CliError('-o BUNDLE (the directory to write) is required');
  const { project, session, location } = await sessionAt(args, out);
  try {
    let steps: string[];
    if (typeof args.values['stage'] === 'string') {
      const n = Number(args.values['stage']);
      const layout = project.layouts[n - 1];
      if (!layout) throw new CliError(`--stage ${args.values['stage']}: stages are 1..${project.layouts.length}`);
      steps = layout.runTasks;
    } else if (typeof args.values['steps'] === 'string') {
      steps = args.values['steps']
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const unknown = steps.filter((s) => !project.graph.rootTasks.has(s));
      if (unknown.length) throw new CliError(`--steps: not tasks of the pipeline: ${unknown.join(', ')}`);
    } else throw new CliError('give --stage N or --steps a,b');
    const bundle = await exportHandoff({
      source: session.readers(location),
      graph: project.graph,
      parameters: session.parameters,
      steps,
      splitPipeline: project.spec.metadata.name,
      revision: project.revision.short,
    });
    const withBytes = !args.values['metadata-only'];
    const written = await writeBundle(target, bundle, withBytes ? session.client(location).store : undefined);
    const bytes = withBytes ? `, ${written.objects} objects (${formatBytes(written.bytes)})` : ' (metadata only)';
    out.stdout(
      `Wrote ${target}: ${bundle.steps.join(', ')} from ${location}, ${bundle.executions.length} executions, ` +
        `${bundle.artifacts.length} artifacts${bytes}\n`,
    );
    return EXIT.ok;
  } finally {
    await session.close();
  }
}

export async function importCommand(args: ParsedArgs, out: Output): Promise<number> {
  const dir = args.positionals[0];
  if (!dir) throw new CliError('usage: import --location NAME BUNDLE');
  const bundle = await readBundle(dir);
  const { project, session, location } = await sessionAt({ ...args, positionals: [] }, out);
  try {
    if (bundle.pipelineName !== project.graph.name) {
      throw new CliError(
        `the bundle holds steps of pipeline "${bundle.pipelineName}", but ${project.file} runs "${project.graph.name}"`,
      );
    }
    if (bundle.revision !== project.revision.short) {
      out.stderr(
        `warning: the bundle was exported for revision ${bundle.revision}; this file is revision ${project.revision.short}\n`,
      );
    }
    if (!bundle.bytesIncluded) {
      throw new CliError(
        'this bundle has no bytes (exported with --metadata-only): copy the objects to the target store yourself ' +
          'and import a bundle with bytes, or export again without --metadata-only',
      );
    }
    const report = await importBundle(
      bundle,
      { kind: 'bundle', dir },
      {
        target: session.readers(location),
        graph: project.graph,
        parameters: session.parameters,
        splitPipeline: project.spec.metadata.name,
        revision: project.revision.short,
        experiment: session.experiment,
        markerRunName: markerRunName(project.spec.metadata.name, project.revision.short, 0, bundle.source.location),
        ...markerImageOf(project.spec.spec.locations.find((l) => l.name === location)?.kfp.markerImage),
      },
    );
    out.stdout(
      `Imported ${report.steps.join(', ')} into ${location}: ${report.objectsCopied}/${report.objects} objects ` +
        `(${formatBytes(report.bytesMoved)}), ${report.executionsCreated} executions, ${report.artifactsCreated} ` +
        `artifacts, ${report.cacheRowsCreated} cache rows (marker run ${report.markerRunId})\n`,
    );
    return EXIT.ok;
  } finally {
    await session.close();
  }
}

const markerImageOf = (image: string | undefined): { markerImage?: string } => (image ? { markerImage: image } : {});
