// `export` and `import`: a handoff through a directory instead of the network (air-gapped locations).
import { ReconcileSession } from '../apply/session.js';
import { markerRunName } from '../split-file/run-names.js';
import type { HandoffBundle } from '../sync/bundle.js';
import { readBundle, writeBundle } from '../sync/bundle-io.js';
import type { Project } from '../split-file/load-project.js';
import { exportAt } from '../sync/location-records.js';
import { exportTravel, importResidencyRefusals } from '../sync/export-travel.js';
import { importBundle } from '../sync/handoff.js';
import { formatBytes } from '../units/bytes.js';
import { CliError, EXIT } from './exit.js';
import type { Output } from './output.js';
import { requireProject } from './plan.js';
import type { ParsedArgs } from './run.js';

function locationOf(args: ParsedArgs, project: Project): string {
  const location = args.values['location'];
  if (typeof location !== 'string') throw new CliError('--location NAME is required');
  if (!project.spec.spec.locations.some((l) => l.name === location)) {
    throw new CliError(
      `--location ${location}: no such location in ${project.file} (${project.spec.spec.locations.map((l) => l.name).join(', ')})`,
    );
  }
  return location;
}

async function sessionAt(args: ParsedArgs, out: Output, loaded?: Project) {
  const project = loaded ?? (await requireProject(args, out));
  const location = locationOf(args, project);
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
    let afterStage: number | undefined;
    if (typeof args.values['stage'] === 'string') {
      const n = Number(args.values['stage']);
      const layout = project.layouts[n - 1];
      if (!layout) throw new CliError(`--stage ${args.values['stage']}: stages are 1..${project.layouts.length}`);
      steps = layout.runTasks;
      afterStage = n;
    } else if (typeof args.values['steps'] === 'string') {
      steps = args.values['steps']
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const unknown = steps.filter((s) => !project.graph.rootTasks.has(s));
      if (unknown.length) throw new CliError(`--steps: not tasks of the pipeline: ${unknown.join(', ')}`);
    } else throw new CliError('give --stage N or --steps a,b');
    const to = args.values['to'];
    if (to !== undefined && (typeof to !== 'string' || !project.spec.spec.locations.some((l) => l.name === to)))
      throw new CliError(
        `--to ${String(to)}: no such location in ${project.file} (${project.spec.spec.locations.map((l) => l.name).join(', ')})`,
      );
    // Bytes only where they are read, and never where spec.data keeps them out: as apply's handoff does.
    const travel = exportTravel({
      graph: project.graph,
      layouts: project.layouts,
      data: project.spec.spec.data ?? [],
      source: location,
      steps,
      ...(to !== undefined ? { to } : {}),
      ...(afterStage !== undefined ? { afterStage } : {}),
    });
    // ML Metadata or the next KFP's native API, as the location has: the bundle is the same either way.
    const bundle = await exportAt(session.readers(location), {
      graph: project.graph,
      parameters: session.parameters,
      steps,
      splitPipeline: project.spec.metadata.name,
      revision: project.revision.short,
      recordsOnly: travel.artifacts.filter((a) => a.travels === 'records'),
      target: travel.target,
    });
    const withBytes = !args.values['metadata-only'];
    const written = await writeBundle(target, bundle, withBytes ? session.client(location).store : undefined);
    const bytes = withBytes ? `, ${written.objects} objects (${formatBytes(written.bytes)})` : ' (metadata only)';
    const names = (t: 'bytes' | 'records') =>
      travel.artifacts
        .filter((a) => a.travels === t)
        .map((a) => `${a.step}.${a.output}`)
        .join(', ') || 'none';
    out.stdout(
      `Wrote ${target}: ${bundle.steps.join(', ')} from ${location}, ${bundle.executions.length} executions, ` +
        `${bundle.artifacts.length} artifacts${bytes}\n` +
        `  for ${travel.target} (stage ${travel.stage}): as bytes: ${names('bytes')}; as records only: ${names('records')}\n`,
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
  const fileArgs = { ...args, positionals: [] };
  const loaded = await requireProject(fileArgs, out);
  refuseForLocation(bundle, locationOf(args, loaded), loaded);
  const { project, session, location } = await sessionAt(fileArgs, out, loaded);
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

/** Before anything is contacted: a bundle made for another location, or carrying bytes `spec.data` keeps out. */
function refuseForLocation(bundle: HandoffBundle, location: string, project: Project): void {
  if (bundle.target !== undefined && bundle.target !== location) {
    throw new CliError(
      `the bundle was exported for ${bundle.target}: its bytes are those the steps executing there read, ` +
        `so it cannot be imported at ${location}`,
      EXIT.error,
      { location, advice: `export again with --to ${location}` },
    );
  }
  const forbidden = importResidencyRefusals(bundle, location, project.spec.spec.data ?? []);
  if (forbidden.length > 0) {
    throw new CliError(
      `the bundle carries bytes that ${project.file} (spec.data) does not allow at ${location}: ${forbidden.join('; ')}; nothing was imported`,
      EXIT.error,
      {
        location,
        code: 'residency',
        advice: `export the bundle again with this file and --to ${location}: those artifacts then travel as records only`,
      },
    );
  }
}

const markerImageOf = (image: string | undefined): { markerImage?: string } => (image ? { markerImage: image } : {});
