// `status` after an apply on a lab whose serve location names its KFP UI (the lab's UI gateway):
// the terminal drawing (plain when not a terminal), `--markdown` with a Mermaid diagram, `--json`;
// runs at serve link to their page in that UI, and the linked id is a run the gateway knows; runs at
// train (no `kfp.ui`) get no link.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../packages/lab/src/lab.js';
import { runCli } from '../support/cli.js';
import { exampleOnLabs, labEnv } from '../support/lab-project.js';

let lab: Lab;
let file: string;
let ui: string;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-status-pictures-'));
  lab = await startLab({
    dir: join(dir, 'lab'),
    locations: ['train', 'serve'],
    ports: 'ephemeral',
    uiGateway: { serve: true },
  });
  const sub = join(dir, 'project');
  mkdtempSync(sub);
  file = exampleOnLabs([lab], sub, 'train-serve');
  ui = `${lab.locations['serve']!.kfpUi!}/pipeline`;
  const from = `"kfp":{"endpoint":"${lab.locations['serve']!.kfp}"`;
  const text = readFileSync(file, 'utf8');
  expect(text).toContain(from);
  writeFileSync(file, text.replace(from, `${from},"ui":"${ui}"`));
  const applied = await runCli(['apply', '-f', file], { env: labEnv([lab]), timeoutMs: 120_000 });
  expect(applied.code, applied.stderr).toBe(0);
}, 150_000);
afterAll(async () => {
  await lab?.close();
});

describe('status draws the split pipeline', () => {
  it('as text: a box per location, the handoff arrow, done markers, the serve run linked; no colour in a pipe', async () => {
    const res = await runCli(['status', '-f', file], { env: labEnv([lab]), timeoutMs: 60_000 });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).not.toContain('\u001b[');
    expect(res.stdout).toContain('in sync');
    expect(res.stdout).toMatch(/^╭─ train /m);
    expect(res.stdout).toMatch(/^╭─ serve /m);
    expect(res.stdout).toMatch(/train \(stage 1\) → serve \(stage 2\): handed off 4 steps/);
    expect(res.stdout.match(/✓ stage \d: done/g)).toHaveLength(2);
    expect(res.stdout.match(/↗ /g)).toHaveLength(1);
    expect(res.stdout).toContain(`↗ ${ui}/#/runs/details/`);
  });

  it('as Markdown: a Mermaid diagram and a run link to serve only, to a run the UI gateway knows', async () => {
    const res = await runCli(['status', '-f', file, '--markdown'], { env: labEnv([lab]), timeoutMs: 60_000 });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.match(/^```mermaid$/gm)).toHaveLength(1);
    expect(res.stdout).toMatch(
      /click stage_2_step_0 href "http:\/\/127\.0\.0\.1:\d+\/pipeline\/#\/runs\/details\/[0-9a-f-]+"/,
    );
    expect(res.stdout).not.toMatch(/click stage_1_/);
    const json = await runCli(['status', '-f', file, '--json'], { env: labEnv([lab]), timeoutMs: 60_000 });
    const doc = JSON.parse(json.stdout) as { stages: { location: string; runId?: string; runUrl?: string }[] };
    const [train, serve] = doc.stages;
    expect(train!.runUrl).toBeUndefined();
    expect(serve!.runUrl).toBe(`${ui}/#/runs/details/${serve!.runId!}`);
    // The link's page (before the `#`) is the UI's index, and the gateway forwards /apis/v2beta1 to serve's API server: the linked id is a run there.
    const run = await fetch(`${lab.locations['serve']!.kfpUi!}/pipeline/apis/v2beta1/runs/${serve!.runId!}`);
    expect(run.status).toBe(200);
    expect(((await run.json()) as { run_id: string }).run_id).toBe(serve!.runId);
    expect((await fetch(serve!.runUrl!.split('#')[0]!)).status).toBe(200);
  });
});
