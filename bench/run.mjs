// `npm run bench`: bundles each benchmark (bench/<name>.ts) into dist/bench/ and runs them one
// after the other in their own processes (so one's memory and sockets never colour another's
// figures). Each prints human lines and ends with one JSON line of figures; this collects those
// lines, prints them together at the end and writes them to dist/bench/results.json.
//   node bench/run.mjs                 all benchmarks
//   node bench/run.mjs transfer plan   some of them
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ALL = ['transfer', 'plan', 'metadata', 'vs-snapshot', 'thesis-job-1gib'];
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !ALL.includes(w));
if (unknown.length) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')} (choose from ${ALL.join(', ')})\n`);
  process.exit(1);
}
const names = wanted.length ? wanted : ALL;
const outdir = join(root, 'dist/bench');
mkdirSync(outdir, { recursive: true });
// Inside the repository, so the bundles' bare imports resolve to node_modules.
await build({
  entryPoints: {
    ...Object.fromEntries(names.map((n) => [n, join(root, 'bench', `${n}.ts`)])),
    'copy-child': join(root, 'bench/lib/copy-child.ts'),
  },
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  logLevel: 'warning',
});

function run(name) {
  return new Promise((resolve) => {
    const started = Date.now();
    process.stdout.write(`\n=== bench/${name} ===\n`);
    // The AWS SDK warns on every process that Node 20 support ends in 2027; it is noise here.
    const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    const child = spawn(process.execPath, [join(outdir, `${name}.mjs`)], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let last = '';
    let pending = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) if (l.trim()) last = l.trim();
    });
    child.on('close', (code) => {
      if (pending.trim()) last = pending.trim();
      let figures;
      try {
        figures = JSON.parse(last);
      } catch {
        figures = undefined;
      }
      const seconds = Math.round((Date.now() - started) / 100) / 10;
      process.stdout.write(`=== bench/${name}: ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${seconds} s ===\n`);
      resolve({ name, code, seconds, figures });
    });
  });
}

const started = Date.now();
const results = [];
for (const name of names) results.push(await run(name));
const total = Math.round((Date.now() - started) / 1000);
writeFileSync(
  join(outdir, 'results.json'),
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, totalSeconds: total, results }, null, 2)}\n`,
);
process.stdout.write(`\nAll figures (${total} s in all; also in dist/bench/results.json):\n`);
for (const r of results)
  process.stdout.write(`${r.figures ? JSON.stringify(r.figures) : `{"bench":"${r.name}","failed":true}`}\n`);
process.exit(results.every((r) => r.code === 0 && r.figures) ? 0 : 1);
