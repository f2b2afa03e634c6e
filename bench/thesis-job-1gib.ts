// bench/thesis-job-1gib: the issue's done-when at scale. On a three-location lab, the thesis chain
// (a → b → c) with train-model writing a 1 GiB model at b, every handoff copied by the
// kubernetes-job engine (the lab's Kubernetes API runs the Job's rclone on this machine), applied by
// the real CLI (`split-pipelines apply --json`) in a process of its own. It checks and prints:
// - per handoff, the engine and the bytes apply says the reconciler moved (0 for each);
// - the bytes the reconciler process received from any store for artifact objects, measured at a
//   metering proxy in front of each lab S3 (lib/s3-meter.ts: by User-Agent, never apply's report);
//   the bytes rclone moved there, for contrast;
// - c's stage run: four steps served from cache, serve-model executed;
// - wall time, the reconciler's CPU seconds and peak RSS (from the process itself at exit).
// Exits non-zero when any of those fails. Progress goes to stderr as it comes; the whole run has a
// deadline (BENCH_THESIS_TIMEOUT_S, default 1200 s).
//
//   node bench/run.mjs thesis-job-1gib          (after `npm run build`)
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { benchLab, figures, MiB, round, runBench, say } from './lib/bench-kit.js';
import { startS3Meter, type S3Meter } from './lib/s3-meter.js';

const GiB = 1024 * MiB;
const MODEL_BYTES = Number(process.env['BENCH_THESIS_MODEL_MIB'] ?? 1024) * MiB;
const TIMEOUT_S = Number(process.env['BENCH_THESIS_TIMEOUT_S'] ?? 1200);
// `inline` shows the checks failing (the meters then see the bytes go through the reconciler).
const ENGINE = process.env['BENCH_THESIS_ENGINE'] ?? 'kubernetes-job';
const LOCATIONS = ['a', 'b', 'c'];
const NS = 'kubeflow';
// The lab runs the container's command with the host's rclone; the image only has to be pinned.
const IMAGE = `docker.io/rclone/rclone@sha256:${'5'.repeat(64)}`;
const root = process.cwd();

/** stderr: progress a person watching sees at once (stdout is the figures, collected at the end). */
const log = (text: string) =>
  process.stderr.write(`[thesis-job-1gib ${new Date().toISOString().slice(11, 19)}] ${text}\n`);

interface Applied {
  kind: string;
  from?: string;
  location: string;
  status: string;
  engine?: string;
  bytesMoved?: number;
  handoff?: { transfer?: { bytesCopied?: number; detail?: string; resumed?: boolean } };
}
interface ApplyDoc {
  inSync: boolean;
  stages: { location: string; cached?: string[]; executed?: string[] }[];
  applied: Applied[];
}
interface Usage {
  userCpuSeconds: number;
  systemCpuSeconds: number;
  maxRssMiB: number;
}

/** The thesis example with the lab's locations, S3 behind the meters, and every handoff by a Job. */
function writeProject(dir: string, locationsYaml: string, meters: Record<string, S3Meter>): string {
  const example = join(root, 'examples', 'thesis');
  cpSync(join(example, 'pipelines'), join(dir, 'pipelines'), { recursive: true });
  const doc = parse(readFileSync(join(example, 'split-pipeline.yaml'), 'utf8')) as {
    spec: { transfer?: unknown; locations: Record<string, unknown>[] };
  };
  const locations = (parse(locationsYaml) as { locations: Record<string, unknown>[] }).locations;
  for (const loc of locations) {
    const name = String(loc['name']);
    (loc['objectStore'] as { endpoint: string }).endpoint = meters[name]!.endpoint;
    loc['transfer'] = {
      engines: ['inline', 'kubernetes-job'],
      kubernetesJob: { image: IMAGE, namespace: NS, backoffLimit: 0, credentialsSecret: { name: 'store-creds' } },
    };
  }
  doc.spec.locations = locations;
  doc.spec.transfer = { engine: ENGINE };
  const file = join(dir, 'split-pipeline.yaml');
  writeFileSync(file, stringify(doc));
  return file;
}

/** Preloaded into the CLI's process: its own CPU and peak RSS, written as it exits. */
function usageHook(dir: string): string {
  const hook = join(dir, 'usage-hook.mjs');
  writeFileSync(
    hook,
    [
      "import { writeFileSync } from 'node:fs';",
      "process.on('exit', () => {",
      '  const u = process.resourceUsage();',
      '  writeFileSync(process.env.SP_BENCH_USAGE_FILE, JSON.stringify({',
      '    userCpuSeconds: u.userCPUTime / 1e6, systemCpuSeconds: u.systemCPUTime / 1e6, maxRssMiB: u.maxRSS / 1024 }));',
      '});',
    ].join('\n'),
  );
  return hook;
}

async function applyChain(
  file: string,
  env: NodeJS.ProcessEnv,
  hook: string,
  usageFile: string,
): Promise<{ code: number | null; stdout: string; seconds: number; usage: Usage | undefined; stderr: string }> {
  const started = Date.now();
  const child = spawn(
    process.execPath,
    ['--import', hook, join(root, 'bin/split-pipelines.js'), 'apply', '-f', file, '--json'],
    { env: { ...env, SP_BENCH_USAGE_FILE: usageFile }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  let pending = '';
  let lastBytes = 0;
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    pending += d.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const l of lines) {
      // Byte counts at most every 5 s; everything else as it comes.
      if (/^ {2}\S.* \/ .*moved\)$/.test(l) || l.includes('"type":"bytes"')) {
        if (Date.now() - lastBytes < 5000) continue;
        lastBytes = Date.now();
      }
      log(`apply: ${l}`);
    }
  });
  const deadline = setTimeout(() => {
    log(`apply still running after ${TIMEOUT_S} s: killing it`);
    child.kill('SIGKILL');
  }, TIMEOUT_S * 1000);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearTimeout(deadline);
  const usage = existsSync(usageFile) ? (JSON.parse(readFileSync(usageFile, 'utf8')) as Usage) : undefined;
  return { code, stdout, stderr, seconds: (Date.now() - started) / 1000, usage };
}

async function main(): Promise<void> {
  const overall = setTimeout(
    () => {
      log(`no result after ${TIMEOUT_S + 120} s: giving up`);
      process.exit(2);
    },
    (TIMEOUT_S + 120) * 1000,
  );
  overall.unref();
  log(`starting a lab (a, b, c); train-model at b writes ${MODEL_BYTES / MiB} MiB`);
  const b = await benchLab('thesis-job', {
    locations: LOCATIONS,
    steps: { b: { 'train-model': { outputBytes: MODEL_BYTES } } },
  });
  const meters: Record<string, S3Meter> = {};
  try {
    for (const l of LOCATIONS) meters[l] = await startS3Meter(b.lab.locations[l]!.objectStore);
    const creds = b.lab.locations['a']!.credentials;
    for (const l of LOCATIONS) {
      const res = await fetch(`${b.lab.locations[l]!.kubernetes}/api/v1/namespaces/${NS}/secrets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          metadata: { name: 'store-creds' },
          stringData: { AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey },
        }),
      });
      if (!res.ok) throw new Error(`creating the Secret at ${l}: ${res.status} ${await res.text()}`);
    }
    const projectDir = join(b.dir, 'project');
    mkdirSync(projectDir, { recursive: true });
    const file = writeProject(projectDir, b.lab.locationsYaml(), meters);
    log(`apply -f ${file} --json (timeout ${TIMEOUT_S} s)`);
    const r = await applyChain(file, b.env, usageHook(b.dir), join(b.dir, 'usage.json'));
    log(`apply exited ${r.code} after ${round(r.seconds, 1)} s`);

    const failures: string[] = [];
    if (r.code !== 0) failures.push(`apply exited ${r.code}: ${r.stderr.trim().split('\n').slice(-5).join(' | ')}`);
    let doc: ApplyDoc | undefined;
    try {
      doc = JSON.parse(r.stdout) as ApplyDoc;
    } catch {
      failures.push(`apply printed no JSON document: ${r.stdout.slice(0, 300)}`);
    }
    const handoffs = (doc?.applied ?? []).filter((a) => a.kind === 'handoff');
    if (handoffs.length !== 2) failures.push(`expected 2 handoffs (a → b, b → c), apply did ${handoffs.length}`);
    for (const h of handoffs) {
      const t = h.handoff?.transfer;
      say(
        `handoff ${h.from} → ${h.location}: engine ${h.engine}, bytesMoved ${h.bytesMoved}, ` +
          `copied by the engine ${t?.bytesCopied ?? '?'} bytes (${t?.detail ?? ''})`,
      );
      if (h.engine !== 'kubernetes-job') failures.push(`handoff ${h.from} → ${h.location} used ${h.engine}`);
      if (h.bytesMoved !== 0)
        failures.push(`handoff ${h.from} → ${h.location}: apply reports ${h.bytesMoved} bytes moved`);
    }
    const bc = handoffs.find((h) => h.from === 'b');
    if ((bc?.handoff?.transfer?.bytesCopied ?? 0) < MODEL_BYTES)
      failures.push(`b → c copied ${bc?.handoff?.transfer?.bytesCopied ?? 0} bytes, less than the model`);

    // What each client received and sent at each store, as the meters saw it. Object bodies only:
    // GETs of a key (not listings or other sub-resources, whose answers are XML about objects).
    const all = LOCATIONS.flatMap((l) => meters[l]!.requests.map((q) => ({ ...q, location: l })));
    const objectGets = (client: string) =>
      all.filter((q) => q.client === client && q.method === 'GET' && q.path.split('/').length > 2 && q.query === '');
    const reconcilerObjects = objectGets('reconciler');
    const reconcilerReceived = reconcilerObjects.reduce((n, q) => n + q.received, 0);
    const reconcilerSent = all
      .filter((q) => q.client === 'reconciler' && q.method === 'PUT')
      .reduce((n, q) => n + q.sent, 0);
    const reconcilerAll = all.filter((q) => q.client === 'reconciler').reduce((n, q) => n + q.received, 0);
    const rcloneReceived = objectGets('rclone').reduce((n, q) => n + q.received, 0);
    const rcloneSent = all.filter((q) => q.client === 'rclone').reduce((n, q) => n + q.sent, 0);
    say(
      `reconciler at the stores (metered): ${reconcilerReceived} bytes of object bodies received in ` +
        `${reconcilerObjects.length} GETs, ${reconcilerSent} bytes of object bodies sent, ` +
        `${reconcilerAll} bytes received in all (listings, errors) over ${all.filter((q) => q.client === 'reconciler').length} requests`,
    );
    for (const q of reconcilerObjects)
      say(`  reconciler GET ${q.location}:${q.path} → ${q.status}, ${q.received} bytes`);
    say(`rclone at the stores (metered): ${rcloneReceived} bytes received, ${rcloneSent} bytes sent`);
    if (reconcilerReceived !== 0)
      failures.push(`the reconciler received ${reconcilerReceived} bytes of objects from the stores`);
    if (reconcilerSent !== 0) failures.push(`the reconciler sent ${reconcilerSent} bytes of objects to the stores`);
    if (rcloneSent < MODEL_BYTES)
      failures.push(`rclone wrote only ${rcloneSent} bytes: the model did not go by the Job`);

    // One Job per handoff, each deleted by the reconciler once verified: the API servers' audit logs
    // count what was created after the Jobs are gone.
    const jobWrites = LOCATIONS.flatMap((l) => {
      const file = join(b.lab.dir, l, 'kube', 'audit.log');
      if (!existsSync(file)) return [];
      return readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { verb: string; objectRef?: { resource: string; name?: string } })
        .filter((e) => e.objectRef?.resource === 'jobs' && e.objectRef.name?.startsWith('sp-xfer-'))
        .map((e) => ({ location: l, verb: e.verb, name: e.objectRef!.name! }));
    });
    const created = jobWrites.filter((w) => w.verb === 'create');
    const deleted = jobWrites.filter((w) => w.verb === 'delete');
    let jobsLeft = 0;
    for (const l of LOCATIONS) {
      const res = await fetch(`${b.lab.locations[l]!.kubernetes}/apis/batch/v1/namespaces/${NS}/jobs`);
      jobsLeft += ((await res.json()) as { items: unknown[] }).items.length;
    }
    say(
      `transfer Jobs: ${created.length} created (${created.map((w) => `${w.location}/${w.name}`).join(', ')}), ` +
        `${deleted.length} deleted, ${jobsLeft} left`,
    );
    if (created.length !== handoffs.length)
      failures.push(`${created.length} Jobs created for ${handoffs.length} handoffs`);
    if (deleted.length !== created.length || jobsLeft !== 0)
      failures.push(`${jobsLeft} transfer Job(s) left after apply (${deleted.length} of ${created.length} deleted)`);

    const c = doc?.stages.find((s) => s.location === 'c');
    say(`c's stage run: cached [${(c?.cached ?? []).join(', ')}], executed [${(c?.executed ?? []).join(', ')}]`);
    const four = ['load-data', 'split-data', 'train-model', 'evaluate-model'];
    if (JSON.stringify([...(c?.cached ?? [])].sort()) !== JSON.stringify([...four].sort()))
      failures.push(`c served [${(c?.cached ?? []).join(', ')}] from cache, not the four steps`);
    if (JSON.stringify(c?.executed ?? []) !== JSON.stringify(['serve-model']))
      failures.push(`c executed [${(c?.executed ?? []).join(', ')}], not serve-model alone`);
    if (doc && !doc.inSync) failures.push('the split pipeline is not in sync after apply');
    if (!r.usage) failures.push('the reconciler wrote no resource usage (did it exit normally?)');
    const cpu = r.usage ? r.usage.userCpuSeconds + r.usage.systemCpuSeconds : NaN;
    say(
      `wall ${round(r.seconds, 1)} s, reconciler CPU ${round(cpu, 2)} s, peak RSS ${round(r.usage?.maxRssMiB ?? NaN)} MiB`,
    );
    for (const f of failures) log(`FAILED: ${f}`);
    figures('thesis-job-1gib', {
      modelBytes: MODEL_BYTES,
      modelGiB: round(MODEL_BYTES / GiB, 3),
      handoffs: handoffs.map((h) => ({
        from: h.from,
        to: h.location,
        engine: h.engine,
        bytesMoved: h.bytesMoved,
        bytesCopied: h.handoff?.transfer?.bytesCopied,
      })),
      reconcilerObjectBytesReceived: reconcilerReceived,
      reconcilerObjectBytesSent: reconcilerSent,
      reconcilerBytesReceivedAll: reconcilerAll,
      rcloneBytesReceived: rcloneReceived,
      rcloneBytesSent: rcloneSent,
      cCached: c?.cached ?? [],
      cExecuted: c?.executed ?? [],
      wallSeconds: round(r.seconds, 1),
      reconcilerCpuSeconds: round(cpu, 2),
      reconcilerPeakRssMiB: round(r.usage?.maxRssMiB ?? NaN),
      jobsCreated: created.length,
      jobsLeft,
      ok: failures.length === 0,
    });
    if (failures.length > 0) throw new Error(`${failures.length} check(s) failed: ${failures.join('; ')}`);
  } finally {
    for (const m of Object.values(meters)) await m.close();
    await b.close();
  }
}

runBench(main);
