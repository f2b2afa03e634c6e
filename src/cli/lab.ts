// `split-pipelines lab up|down`: emulated KFP locations on loopback for tests, the demo and trying
// the tool. `up` serves until SIGINT/SIGTERM, or with --detach returns once every location answers;
// `down` stops a detached lab.
import { resolve } from 'node:path';
import { CliError, EXIT } from './exit.js';
import type { Output } from './output.js';
import type { ParsedArgs } from './run.js';
import type { LabFile, LabLocation } from '../../packages/lab/src/index.js';
import { loadLab, type LabModule } from './load-lab.js';

/** The option spec `lab` needs from the dispatcher (`--ports ephemeral` is for tests, not in the usage). */
export const LAB_OPTIONS = {
  locations: { type: 'string' },
  dir: { type: 'string' },
  'kfp-version': { type: 'string' },
  detach: { type: 'boolean' },
  ports: { type: 'string' },
  'ui-gateway': { type: 'boolean' },
} as const;

const VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

interface UpSettings {
  dir: string;
  locations: string[];
  kfpVersion: string | Record<string, string>;
  ports: 'default' | 'ephemeral';
  /** Also serve an emulated Kubeflow UI (ml-pipeline-ui) in front of every location's API server. */
  uiGateway: boolean;
}

function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A KFP release, or `next` (the next KFP: native task and artifact API, no ML Metadata). */
const isKfpVersion = (v: string): boolean => VERSION.test(v) || v === 'next';

function parseKfpVersion(
  lab: LabModule,
  value: string | undefined,
  locations: string[],
): string | Record<string, string> {
  if (value === undefined) return lab.DEFAULT_KFP_VERSION;
  if (!value.includes('=')) {
    if (!isKfpVersion(value))
      throw new CliError(`--kfp-version ${value}: expected a KFP version such as 2.17.0 or next, or a=2.14.0,b=next`);
    return value;
  }
  const out: Record<string, string> = {};
  for (const part of value.split(',')) {
    const [name = '', version = ''] = part.split('=').map((s) => s.trim());
    if (!locations.includes(name))
      throw new CliError(`--kfp-version: "${name}" is not one of the locations (${locations.join(', ')})`);
    if (!isKfpVersion(version))
      throw new CliError(`--kfp-version: "${version}" for ${name} is not a KFP version such as 2.17.0 or next`);
    out[name] = version;
  }
  return out;
}

function upSettings(lab: LabModule, args: ParsedArgs): UpSettings {
  const locations = (stringOption(args, 'locations') ?? lab.DEFAULT_LOCATIONS.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const ports = stringOption(args, 'ports') ?? 'default';
  if (ports !== 'default' && ports !== 'ephemeral')
    throw new CliError(`--ports ${ports}: expected default or ephemeral`);
  return {
    dir: resolve(stringOption(args, 'dir') ?? '.lab'),
    locations,
    kfpVersion: parseKfpVersion(lab, stringOption(args, 'kfp-version'), locations),
    ports,
    uiGateway: args.values['ui-gateway'] === true,
  };
}

function summary(lab: LabModule, file: LabFile, detached: boolean): string {
  const infos: LabLocation[] = Object.entries(file.locations).map(([name, l]) => ({ name, ...l }));
  const lines = [
    `lab: ${infos.length} location${infos.length === 1 ? '' : 's'} in ${file.dir}${detached ? ` (pid ${file.pid ?? '?'})` : ''}`,
  ];
  for (const l of infos) {
    lines.push(
      `  ${l.name}: KFP ${l.kfpVersion} ${l.kfp}  mlmd ${l.mlmd || '(none: native API)'}  s3 ${l.objectStore}  kubernetes ${l.kubernetes}`,
    );
    if (l.kfpUi)
      lines.push(`     Kubeflow UI gateway (forwards only /apis/v1beta1 and /apis/v2beta1): ${l.kfpUi}/pipeline`);
  }
  const credentials = infos[0]?.credentials;
  lines.push(
    '',
    `endpoints: ${file.dir}/lab.json   kubeconfig: ${file.kubeconfig}`,
    '',
    'The lab object stores accept these credentials; a split-pipeline.yaml names them by variable:',
    `  export ${lab.LAB_S3_ACCESS_KEY_ENV}=${credentials?.accessKeyId ?? ''}`,
    `  export ${lab.LAB_S3_SECRET_KEY_ENV}=${credentials?.secretAccessKey ?? ''}`,
    '',
    '# paste under `spec:` of a split-pipeline.yaml',
    lab.renderLocationsYaml(infos, file.kubeconfig).trimEnd(),
    '',
  );
  return `${lines.join('\n')}\n`;
}

function labFailure(lab: LabModule, err: unknown): CliError {
  if (err instanceof lab.PortInUseError || err instanceof lab.LabError) return new CliError(err.message);
  return new CliError(`the lab could not start: ${err instanceof Error ? err.message : String(err)}`);
}

async function up(lab: LabModule, args: ParsedArgs, out: Output): Promise<number> {
  const s = upSettings(lab, args);
  if (args.values['detach']) {
    if (await lab.runningLab(s.dir))
      throw new CliError(
        `a lab is already running in ${s.dir}: \`split-pipelines lab down --dir ${s.dir}\` first, or use another --dir`,
      );
    const forwarded = ['--dir', s.dir, '--locations', s.locations.join(','), '--ports', s.ports];
    const version = stringOption(args, 'kfp-version');
    if (version !== undefined) forwarded.push('--kfp-version', version);
    if (s.uiGateway) forwarded.push('--ui-gateway');
    // The same CLI entry as this process, in the background.
    const entry = process.argv[1];
    if (!entry) throw new CliError('cannot tell which script to start the lab with (process.argv[1] is empty)');
    let file: LabFile;
    try {
      file = await lab.startDetached(s.dir, entry, forwarded);
    } catch (err) {
      throw new CliError(`the lab did not start: ${(err as Error).message}`);
    }
    out.stdout(summary(lab, file, true));
    out.stdout(`Running in the background; stop it with: split-pipelines lab down --dir ${s.dir}\n`);
    return EXIT.ok;
  }
  let running;
  try {
    running = await lab.startLab({
      dir: s.dir,
      locations: s.locations,
      kfpVersion: s.kfpVersion,
      ports: s.ports,
      uiGateway: s.uiGateway,
    });
  } catch (err) {
    throw labFailure(lab, err);
  }
  const file: LabFile = {
    version: 1,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    dir: running.dir,
    kubeconfig: running.kubeconfig,
    locations: Object.fromEntries(Object.values(running.locations).map(({ name, ...rest }) => [name, rest])),
  };
  out.stdout(summary(lab, file, false));
  out.stdout('Serving until interrupted (Ctrl-C).\n');
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  out.stdout('lab: shutting down\n');
  await running.close();
  out.stdout('lab: stopped\n');
  return EXIT.ok;
}

async function down(lab: LabModule, args: ParsedArgs, out: Output): Promise<number> {
  const dir = resolve(stringOption(args, 'dir') ?? '.lab');
  let outcome;
  try {
    outcome = await lab.stopDetached(dir);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  if (!outcome.stopped) {
    out.stdout(`lab: ${outcome.reason}\n`);
    return EXIT.ok;
  }
  out.stdout(`lab: stopped (pid ${outcome.pid}); its state stays in ${dir}\n`);
  return EXIT.ok;
}

export async function labCommand(args: ParsedArgs, out: Output): Promise<number> {
  const [action, ...extra] = args.positionals;
  if (extra.length > 0) throw new CliError(`lab ${action ?? ''}: unexpected argument "${extra[0]}"`);
  if (action === 'up') return up(await loadLab(), args, out);
  if (action === 'down') {
    for (const flag of ['locations', 'kfp-version', 'detach', 'ports']) {
      if (args.values[flag] !== undefined) throw new CliError(`lab down: --${flag} only applies to lab up`);
    }
    return down(await loadLab(), args, out);
  }
  throw new CliError(
    action === undefined ? 'lab: say `lab up` or `lab down`' : `lab: unknown action "${action}" (expected up or down)`,
  );
}
