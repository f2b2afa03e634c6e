// `split-pipelines` command dispatch: parse flags once, run the command, map the outcome to the
// contract's exit codes (0 ok / in sync, 1 error, 2 changes with --detailed-exitcode, 3 lock held).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { errorReport } from '../errors/error-report.js';
import { EXIT } from './exit.js';
import { planCommand } from './plan.js';
import { validateCommand } from './validate.js';
import { applyCommand } from './apply.js';
import { statusCommand } from './status.js';
import { exportCommand, importCommand } from './bundle.js';
import { LAB_OPTIONS, labCommand } from './lab.js';
import { demoCommand } from './demo.js';
import { policyCommand } from './policy.js';
import { USAGE } from './usage.js';
import type { Output } from './output.js';
import { processOutput } from './output.js';

export type CommandFn = (args: ParsedArgs, out: Output) => Promise<number>;
export type ParsedArgs = { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] };

interface CommandDef {
  options: NonNullable<ParseArgsConfig['options']>;
  run: CommandFn;
}

const fileOption = {
  f: { type: 'string', short: 'f', multiple: true },
  file: { type: 'string', multiple: true },
} as const;

/** `--override-policy NAME --reason TEXT`, repeatable (the n-th reason goes with the n-th policy). */
const overrideOptions = {
  'override-policy': { type: 'string', multiple: true },
  reason: { type: 'string', multiple: true },
} as const;

const COMMANDS: Record<string, CommandDef> = {
  validate: { options: { ...fileOption }, run: validateCommand },
  plan: {
    options: {
      ...fileOption,
      json: { type: 'boolean' },
      markdown: { type: 'boolean' },
      'detailed-exitcode': { type: 'boolean' },
      offline: { type: 'boolean' },
      out: { type: 'string' },
      ...overrideOptions,
    },
    run: planCommand,
  },
  apply: {
    options: {
      ...fileOption,
      through: { type: 'string' },
      'lock-timeout': { type: 'string' },
      'run-timeout': { type: 'string' },
      json: { type: 'boolean' },
      plan: { type: 'string' },
      ...overrideOptions,
    },
    run: applyCommand,
  },
  status: { options: { ...fileOption, json: { type: 'boolean' }, markdown: { type: 'boolean' } }, run: statusCommand },
  export: {
    options: {
      ...fileOption,
      location: { type: 'string' },
      stage: { type: 'string' },
      steps: { type: 'string' },
      to: { type: 'string' },
      output: { type: 'string', short: 'o' },
      'metadata-only': { type: 'boolean' },
    },
    run: exportCommand,
  },
  import: { options: { ...fileOption, location: { type: 'string' } }, run: importCommand },
  lab: { options: LAB_OPTIONS, run: labCommand },
  demo: { options: { keep: { type: 'boolean' } }, run: demoCommand },
  policy: { options: { ...fileOption }, run: policyCommand },
};

export async function main(argv: string[], out: Output = processOutput()): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    out.stdout(USAGE);
    return command ? EXIT.ok : EXIT.error;
  }
  if (command === '--version' || command === 'version') {
    out.stdout(`split-pipelines ${await version()}\n`);
    return EXIT.ok;
  }
  const def = COMMANDS[command];
  if (!def) {
    out.stderr(`split-pipelines: unknown command "${command}"\n\n${USAGE}`);
    return EXIT.error;
  }
  let args: ParsedArgs;
  try {
    const parsed = parseArgs({
      args: rest,
      options: { ...def.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    args = { values: parsed.values, positionals: parsed.positionals };
  } catch (e) {
    out.stderr(`split-pipelines ${command}: ${(e as Error).message}\n\n${USAGE}`);
    return EXIT.error;
  }
  if (args.values['help']) {
    out.stdout(USAGE);
    return EXIT.ok;
  }
  try {
    return await def.run(args, out);
  } catch (e) {
    return reportFailure(command, e, args.values['json'] === true, out);
  }
}

/**
 * A failed command: user errors (every UserError says where, doing what, and what to do) by their
 * message and exit code; anything else as an internal error. A stack trace only with
 * SPLIT_PIPELINES_DEBUG set. In JSON mode stdout still gets one document: `{ "error": … }`.
 */
export function reportFailure(command: string, e: unknown, json: boolean, out: Output): number {
  const report = errorReport(e);
  out.stderr(`split-pipelines ${command}: ${report.message}\n`);
  if (process.env['SPLIT_PIPELINES_DEBUG'] && e instanceof Error) out.stderr(`${e.stack ?? ''}\n`);
  if (json) out.stdout(`${JSON.stringify({ error: report }, null, 2)}\n`);
  return report.exitCode;
}

async function version(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const { findPackageRoot } = await import('./package-root.js');
  const pkg = JSON.parse(await readFile(`${findPackageRoot()}/package.json`, 'utf8')) as { version: string };
  return pkg.version;
}

/** `-f`/`--file` values, defaulting to ./split-pipeline.yaml. */
export function filesOf(args: ParsedArgs): string[] {
  const f = [
    ...((args.values['f'] as string[] | undefined) ?? []),
    ...((args.values['file'] as string[] | undefined) ?? []),
  ];
  return f.length > 0 ? f : ['split-pipeline.yaml'];
}
