import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';
import { applyProject } from '../../src/apply/apply.js';
import { startLab, type LocationFaults } from '../../src/lab/lab.js';
import { exampleOnLabs, labEnv, projectOf } from '../support/lab-project.js';

const CASES: [string, LocationFaults][] = [
  ['none', {}],
  ['kfp503', { kfp: { status503EveryN: 5, retryAfterSeconds: 1 } }],
  ['kfpdrop', { kfp: { dropConnectionEveryN: 7 } }],
  ['mlmd', { mlmd: { unavailableEveryN: 3 } }],
  ['s3-500', { objectStore: { status500EveryN: 3 } }],
  ['s3-drop', { objectStore: { dropConnectionEveryN: 4 } }],
  ['s3-cut', { objectStore: { cutBodyEveryN: 2 } }],
];
for (const [name, f] of CASES) {
  it(name, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-scratch-'));
    const t0 = Date.now();
    const lab = await startLab({ dir: join(dir, 'lab'), locations: ['a', 'b', 'c'], ports: 'ephemeral', faults: { a: f, b: f, c: f } });
    const t1 = Date.now();
    let n = 0;
    const orig = globalThis.fetch;
    globalThis.fetch = ((...a: Parameters<typeof fetch>) => { n++; return orig(...a); }) as typeof fetch;
    try {
      const project = await projectOf(exampleOnLabs([lab], dir));
      const r = await applyProject(project, { env: labEnv([lab]), pollMs: 100 }).catch((e) => e as Error);
      console.log(name, 'start', t1 - t0, 'apply', Date.now() - t1, 'fetches', n, r instanceof Error ? `ERR ${r.message}` : `inSync ${r.inSync}`);
    } finally {
      globalThis.fetch = orig;
      await lab.close();
    }
  }, 120_000);
}
