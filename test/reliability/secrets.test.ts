// Every secret the program is given (the S3 key pair, a multi-user location's KFP token, a
// Kubernetes bearer token in the kubeconfig) is set to a recognisable value, the whole life cycle
// runs through the built CLI, and then nothing it wrote may contain one: not stdout or stderr of
// any command, not the JSON plan, not a bundle, and not any file under the test's directory,
// including what the locations stored (the lab's databases and objects hold whatever the program
// sent them). The apply must succeed, which shows the secrets were really in use.
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../packages/lab/src/lab.js';
import { runCli, type CliResult } from '../support/cli.js';
import { exampleOnLabs, labEnv } from '../support/lab-project.js';

const SECRETS = {
  s3AccessKey: 'AKIARECOGNISABLE7Q3X',
  s3SecretKey: 's3-secret-Zq8WmK2vR4tY6uI0pLxN',
  kfpToken: 'kfp-token-Xv7Bn3Mq9Lw2Ks5Jd8Hf',
  kubeToken: 'kube-token-Pm4Rt8Wq1Zx6Cv3Bn9Lk',
};

/** The secret values and the forms they take on the wire (base64 in basic auth, URL-encoded). */
function needles(): { name: string; value: string }[] {
  return Object.entries(SECRETS).flatMap(([name, value]) => [
    { name, value },
    { name: `${name} (base64)`, value: Buffer.from(value).toString('base64') },
  ]);
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

/**
 * s3rver checks that a request's access key belongs to an account (signature V4 is not verified,
 * lib/middleware/authentication.js); register the recognisable key with its only account, so the
 * lab's object stores accept it and refuse any other.
 */
function acceptRecognisableS3Key(): void {
  const require = createRequire(import.meta.url);
  const account = require('s3rver/lib/models/account') as {
    DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void; revokeAccessKey(id: string): void };
  };
  account.DUMMY_ACCOUNT.createKeyPair(SECRETS.s3AccessKey, SECRETS.s3SecretKey);
}

describe('secrets', () => {
  let lab: Lab;
  let dir: string;
  let file: string;
  let env: NodeJS.ProcessEnv;
  const outputs: { command: string; result: CliResult }[] = [];
  beforeAll(async () => {
    acceptRecognisableS3Key();
    dir = mkdtempSync(join(tmpdir(), 'sp-secrets-'));
    lab = await startLab({
      dir: join(dir, 'lab'),
      locations: ['a', 'b', 'c'],
      ports: 'ephemeral',
      multiUser: { c: { token: SECRETS.kfpToken, namespace: 'team-ml' } },
    });
    file = exampleOnLabs([lab], dir);
    // A kubeconfig whose users carry a bearer token, as a real one does.
    const kubeconfig = parse(readFileSync(lab.kubeconfig, 'utf8')) as {
      users: { name: string; user: Record<string, string> }[];
    };
    for (const u of kubeconfig.users) u.user = { token: SECRETS.kubeToken };
    const ownKubeconfig = join(dir, 'kubeconfig-with-token');
    writeFileSync(ownKubeconfig, stringify(kubeconfig));
    writeFileSync(file, readFileSync(file, 'utf8').split(lab.kubeconfig).join(ownKubeconfig));
    env = labEnv([lab], {
      LAB_S3_ACCESS_KEY_ID: SECRETS.s3AccessKey,
      LAB_S3_SECRET_ACCESS_KEY: SECRETS.s3SecretKey,
      LAB_C_TOKEN: SECRETS.kfpToken,
    });
    const commands: string[][] = [
      ['validate', '-f', file],
      ['plan', '--offline', '-f', file],
      ['plan', '-f', file, '--json'],
      ['plan', '-f', file, '--markdown'],
      ['apply', '-f', file, '--json'],
      ['status', '-f', file],
      ['status', '-f', file, '--json'],
      ['export', '-f', file, '--location', 'b', '--stage', '2', '-o', join(dir, 'stage-2.bundle')],
      [
        'export',
        '-f',
        file,
        '--location',
        'b',
        '--stage',
        '2',
        '--metadata-only',
        '-o',
        join(dir, 'stage-2-metadata.bundle'),
      ],
      ['plan', '-f', file, '--json', '--detailed-exitcode'],
    ];
    for (const command of commands)
      outputs.push({ command: command.join(' '), result: await runCli(command, { env, timeoutMs: 120_000 }) });
    // And the failures, whose messages are where secrets usually slip out: a token the location
    // refuses, an S3 key it does not know.
    const wrongToken = `${SECRETS.kfpToken}-revoked`;
    outputs.push({
      command: 'plan (refused token)',
      result: await runCli(['plan', '-f', file], { env: { ...env, LAB_C_TOKEN: wrongToken }, timeoutMs: 60_000 }),
    });
    const wrongKey = `${SECRETS.s3AccessKey}9`;
    outputs.push({
      command: 'export (unknown S3 key)',
      result: await runCli(
        ['export', '-f', file, '--location', 'b', '--stage', '2', '-o', join(dir, 'refused.bundle')],
        { env: { ...env, LAB_S3_ACCESS_KEY_ID: wrongKey }, timeoutMs: 60_000 },
      ),
    });
  }, 240_000);
  afterAll(async () => {
    await lab?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('were in use: the apply succeeded with them, and wrong ones were refused', () => {
    const apply = outputs.find((o) => o.command.startsWith('apply'))!.result;
    expect(apply.code, apply.stderr).toBe(0);
    expect((JSON.parse(apply.stdout) as { inSync: boolean }).inSync).toBe(true);
    for (const o of outputs.filter(
      (x) => !x.command.includes('refused') && !x.command.includes('unknown') && !x.command.includes('detailed'),
    )) {
      expect(o.result.code, `${o.command}\n${o.result.stderr}`).toBe(0);
    }
    expect(outputs.find((o) => o.command.includes('refused token'))!.result.code).toBe(1);
    expect(outputs.find((o) => o.command.includes('unknown S3 key'))!.result.code).toBe(1);
  });

  it('never appear in what any command printed', () => {
    for (const o of outputs) {
      for (const n of needles()) {
        expect.soft(o.result.stdout, `${n.name} in stdout of ${o.command}`).not.toContain(n.value);
        expect.soft(o.result.stderr, `${n.name} in stderr of ${o.command}`).not.toContain(n.value);
      }
    }
  });

  it('never appear in any file written: plan, bundles, and what the locations stored', () => {
    const written = filesUnder(dir).filter((p) => !p.endsWith('kubeconfig-with-token'));
    expect(written.some((p) => p.endsWith('bundle.json'))).toBe(true);
    expect(written.some((p) => p.endsWith('kfp.sqlite'))).toBe(true);
    for (const p of written) {
      const bytes = readFileSync(p);
      for (const n of needles()) expect.soft(bytes.includes(n.value), `${n.name} in ${p}`).toBe(false);
    }
  });
});
