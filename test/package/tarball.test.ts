// The npm tarball, installed the way examples/cron/Dockerfile installs it: `npm pack`, then
// `npm install --omit=dev <tarball>` into an empty directory. There is no Docker here, so this test
// performs the image's pack and install steps itself (reading the install flags from the
// Dockerfile) on the Node.js the tests run on (20), while the image runs Node.js 24; it cannot catch
// what only differs on 24. `--prefer-offline` lets it use the cache `npm ci` filled.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab } from '../../packages/lab/src/lab.js';
import { repoRoot } from '../support/fixtures.js';
import { exampleOnLabs, labEnv } from '../support/lab-project.js';
import { nativeModules } from './native-modules.js';

const dockerfile = readFileSync(join(repoRoot, 'examples/cron/Dockerfile'), 'utf8');

/** The flags of the image's `npm install … /tmp/split-pipelines.tgz`, so the two cannot drift apart. */
function dockerfileInstallFlags(): string[] {
  const line = /npm install ((?:--[\w=-]+ )+)\/tmp\/split-pipelines\.tgz/.exec(dockerfile);
  if (!line?.[1])
    throw new Error('examples/cron/Dockerfile no longer installs /tmp/split-pipelines.tgz with npm install');
  return line[1].trim().split(/\s+/);
}

/**
 * npm run by `npm test` passes its settings to scripts as npm_* variables (npm_config_local_prefix
 * names this repository): drop them, so the install below is npm in an empty directory, as in the image.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^npm_/i.test(k) || /^npm_config_(cache|registry|userconfig)$/i.test(k)) env[k] = v;
  }
  return { ...env, NO_COLOR: '1' };
}

let scratch = '';
let installDir = '';
let packedFiles: string[] = [];

function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  return spawnSync(
    process.execPath,
    [join(installDir, 'node_modules/split-pipelines/bin/split-pipelines.js'), ...args],
    {
      cwd,
      env: { ...cleanEnv(), ...env },
      encoding: 'utf8',
    },
  );
}

/** The CLI in a child process without blocking this one, which serves the lab it talks to. */
function spawnAsync(args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((done, fail) => {
    const child = spawn(
      process.execPath,
      [join(installDir, 'node_modules/split-pipelines/bin/split-pipelines.js'), ...args],
      {
        cwd,
        env: { ...cleanEnv(), ...env },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'split-pipelines-tarball-'));
  installDir = join(scratch, 'opt');
  mkdirSync(installDir);
  // vitest's global setup has just built dist/; `prepare` would rebuild it under the CLI tests
  // running beside this one, hence --ignore-scripts (the image builds explicitly before packing).
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], {
      cwd: repoRoot,
      env: cleanEnv(),
      encoding: 'utf8',
    }),
  ) as { filename: string; files: { path: string }[] }[];
  const tarball = join(scratch, packed[0]!.filename);
  packedFiles = packed[0]!.files.map((f) => f.path).sort();
  execFileSync('npm', ['install', ...dockerfileInstallFlags(), '--prefer-offline', '--prefix', installDir, tarball], {
    cwd: installDir,
    env: cleanEnv(),
    stdio: 'pipe',
  });
}, 300_000);

// An installed tree is some 100 MB of small files: removing it takes a while on a busy machine.
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}, 120_000);

describe('the npm tarball', () => {
  it('holds the CLI bundle and the files it reads, and no tests, fixtures, benchmarks, lab or sources', () => {
    expect(packedFiles).toContain('bin/split-pipelines.js');
    expect(packedFiles).toContain('dist/cli.js');
    expect(packedFiles).toContain('proto/ml_metadata/proto/metadata_store.proto');
    expect(packedFiles).toContain('schemas/split-pipeline.schema.json');
    const unwanted = packedFiles.filter((f) =>
      /^(test|bench|src|packages|action|examples|scripts|docs|tmp|\.ci)\/|^dist\/lab\.js|\.map$|\.ts$|^tsconfig|^vitest/.test(
        f,
      ),
    );
    expect(unwanted).toEqual([]);
  });

  it('installs a CLI that prints its usage', () => {
    const r = cli(['--help'], scratch);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: split-pipelines <command>/);
  });

  it('validates an example copied next to it', () => {
    const example = join(scratch, 'thesis');
    cpSync(join(repoRoot, 'examples/thesis'), example, { recursive: true });
    const r = cli(['validate'], example);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^split-pipeline\.yaml: valid \(split pipeline thesis, revision [0-9a-f]{12}, 3 stages\)/);
    expect(r.status).toBe(0);
  });

  it('plans against live locations (KFP, ML Metadata over gRPC, S3, Kubernetes) from the installed copy', async () => {
    const lab = await startLab({ dir: join(scratch, 'live-lab'), locations: ['a', 'b', 'c'], ports: 'ephemeral' });
    try {
      const dir = join(scratch, 'live');
      mkdirSync(dir);
      const file = exampleOnLabs([lab], dir);
      const { LAB_S3_ACCESS_KEY_ID = '', LAB_S3_SECRET_ACCESS_KEY = '' } = labEnv([lab]);
      const r = spawnAsync(['plan', '--json', '-f', file], dir, { LAB_S3_ACCESS_KEY_ID, LAB_S3_SECRET_ACCESS_KEY });
      const { status, stdout, stderr } = await r;
      expect(stderr).not.toMatch(/Error|Cannot find/);
      expect(status).toBe(0);
      const plan = JSON.parse(stdout) as { name: string; inSync: boolean; stages: { state: string }[] };
      expect(plan).toMatchObject({ name: 'thesis', inSync: false });
      expect(plan.stages.map((st) => st.state)).toEqual(['pending', 'pending', 'pending']);
    } finally {
      await lab.close();
    }
  });

  it('says where to get the lab when asked for the demo or the lab', () => {
    for (const args of [['demo'], ['lab', 'up', '--ports', 'ephemeral', '--dir', join(scratch, 'lab')]]) {
      const r = cli(args, scratch);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(/the lab is not part of this installed copy of split-pipelines/);
      expect(r.stderr).toMatch(/clone .*`npm ci`/);
      expect(existsSync(join(scratch, 'lab')), 'nothing is started').toBe(false);
    }
  });

  it('installs a production tree without native modules (the CronJob image’s tree)', () => {
    const listed = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable', '--prefix', installDir], {
      cwd: installDir,
      env: cleanEnv(),
      encoding: 'utf8',
    })
      .split('\n')
      .filter((p) => p !== '' && p !== installDir);
    expect(listed).toContain(join(installDir, 'node_modules/split-pipelines'));
    expect(listed.filter((p) => /[\\/](better-sqlite3|s3rver)$/.test(p))).toEqual([]);
    expect(nativeModules(listed)).toEqual([]);
  });
});

describe('the native-module check', () => {
  it('finds the lab’s better-sqlite3, which the repository installs for the lab', () => {
    const found = nativeModules([join(repoRoot, 'node_modules/better-sqlite3')]);
    expect(found.map((f) => f.reason)).toContain('binding.gyp');
  });
});
