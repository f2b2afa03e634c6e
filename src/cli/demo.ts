// `demo`: the seed thesis's example end to end on a three-location lab, from a clean clone.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyProject } from '../apply/apply.js';
import { loadProject } from '../split-file/load-project.js';
import { formatBytes } from '../units/bytes.js';
import { messageOf } from '../errors/error-report.js';
import { CliError, EXIT } from './exit.js';
import type { Output } from './output.js';
import { loadLab } from './load-lab.js';
import { findPackageRoot } from './package-root.js';
import { progressPrinter } from './progress.js';
import type { ParsedArgs } from './run.js';

export async function demoCommand(args: ParsedArgs, out: Output): Promise<number> {
  const keep = Boolean(args.values['keep']);
  const { startLab, writeExampleForLab, LAB_S3_ACCESS_KEY_ENV, LAB_S3_SECRET_KEY_ENV } = await loadLab();
  const dir = await mkdtemp(join(tmpdir(), 'split-pipelines-demo-'));
  const say = (s = '') => out.stdout(`${s}\n`);
  say("split-pipelines demo: the seed thesis's five-step pipeline split across three locations");
  say(`Starting a lab with locations a, b and c (emulated KFP 2.17 on 127.0.0.1, state in ${dir}) …`);
  const started = Date.now();
  // The lab's own failures (a port, a missing emulator) are the user's machine's, not internal errors.
  const lab = await startLab({ dir: join(dir, 'lab'), locations: ['a', 'b', 'c'], ports: 'ephemeral' }).catch(
    (e: unknown) => {
      throw new CliError(`the demo's lab could not start: ${messageOf(e)}`);
    },
  );
  try {
    const creds = Object.values(lab.locations)[0]!.credentials;
    const env = {
      ...process.env,
      [LAB_S3_ACCESS_KEY_ENV]: creds.accessKeyId,
      [LAB_S3_SECRET_KEY_ENV]: creds.secretAccessKey,
    };
    const file = await writeExampleForLab(lab, join(findPackageRoot(), 'examples/thesis/split-pipeline.yaml'), dir);
    const { project, diagnostics } = await loadProject(file);
    if (!project)
      throw new CliError(`the thesis example does not load: ${diagnostics.map((d) => d.message).join('; ')}`);
    say(
      `Lab ready in ${((Date.now() - started) / 1000).toFixed(1)}s. ` +
        `Split pipeline "${project.spec.metadata.name}", revision ${project.revision.short}:`,
    );
    for (const l of project.layouts)
      say(
        `  stage ${l.index} at ${l.location}: ${l.steps.join(', ')}${l.fromCache.length ? ` (from cache: ${l.fromCache.join(', ')})` : ''}`,
      );
    say();
    say('First apply:');
    // The demo is a show: progress goes to stdout with the rest.
    const first = await applyProject(project, {
      env,
      onEvent: progressPrinter({ ...out, stderr: out.stdout }),
      pollMs: 200,
    });
    say();
    for (const s of first.plan.stages) {
      const ran = first.applied.filter((a) => a.stage === s.index);
      const seconds = ran.reduce((n, a) => n + a.durationMs, 0) / 1000;
      const bytes = ran.reduce((n, a) => n + (a.bytesMoved ?? 0), 0);
      say(
        `Stage ${s.index} at ${s.location}: executed ${s.executed?.join(', ') || 'nothing'}; ` +
          `cache hits ${s.cached?.join(', ') || 'none'}; ${formatBytes(bytes)} handed off; ${seconds.toFixed(1)}s`,
      );
    }
    say(
      first.inSync
        ? 'In sync: every stage ran where the file says, and c served four steps from cache.'
        : 'Not in sync after the first apply (unexpected).',
    );
    say();
    say('Second apply (nothing changed):');
    const second = await applyProject(project, { env, pollMs: 200 });
    const moved = second.applied.reduce((n, a) => n + (a.bytesMoved ?? 0), 0);
    const runs = second.applied.filter((a) => a.kind === 'run-stage').length;
    say(
      `  ${second.applied.length} operations, ${runs} runs submitted, ${formatBytes(moved)} moved: ${second.inSync ? 'in sync' : 'NOT in sync'}.`,
    );
    return first.inSync && second.inSync && second.applied.length === 0 ? EXIT.ok : EXIT.error;
  } finally {
    await lab.close();
    if (!keep) await rm(dir, { recursive: true, force: true });
    else say(`Kept ${dir}.`);
    say('Lab stopped.');
  }
}
