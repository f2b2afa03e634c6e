// A handed-off object overwritten at the target (someone re-uploaded it, a tool rewrote it): the
// object is still there, so a presence check passes, but its bytes are not what the handoff
// verified. The plan must notice (the step is not available there any more, so it is handed off
// again), apply must copy the object again, and afterwards the target holds the source's bytes.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyProject, planProject } from '../../src/apply/apply.js';
import { startLab, type Lab } from '../../packages/lab/src/lab.js';
import { MlmdClient, type Artifact } from '../../src/location/mlmd/index.js';
import { ObjectStore } from '../../src/location/objectstore/index.js';
import type { Project } from '../../src/split-file/load-project.js';
import { parseGlobalId } from '../../src/sync/global-id.js';
import { checkInvariants } from '../support/invariants.js';
import { exampleOnLabs, labEnv, projectOf } from '../support/lab-project.js';

describe('an object altered at the target after its handoff', () => {
  let lab: Lab;
  let dir: string;
  let project: Project;
  let env: NodeJS.ProcessEnv;
  const clients: { close(): void }[] = [];
  const storeOf = (name: string) => {
    const l = lab.locations[name]!;
    const s = new ObjectStore({
      location: name,
      endpoint: l.objectStore,
      credentials: l.credentials,
      pipelineRoot: l.pipelineRoot,
    });
    clients.push(s);
    return s;
  };
  const mlmdOf = (name: string) => {
    const m = new MlmdClient({ location: name, address: lab.locations[name]!.mlmd });
    clients.push(m);
    return m;
  };
  async function sha256Of(store: ObjectStore, uri: string): Promise<string> {
    const { body } = await store.get(store.resolve(uri));
    const hash = createHash('sha256');
    for await (const chunk of body) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  let model: Artifact;
  let sourceSha: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sp-altered-'));
    lab = await startLab({
      dir: join(dir, 'lab'),
      locations: ['a', 'b', 'c'],
      ports: 'ephemeral',
      steps: { b: { 'train-model': { outputBytes: 200 * 1024 } } },
    });
    project = await projectOf(exampleOnLabs([lab], dir));
    env = labEnv([lab]);
    const first = await applyProject(project, { env, pollMs: 100 });
    expect(first.inSync).toBe(true);
    // The model train-model made at b, as handed off to c.
    const imported = (await mlmdOf('c').getArtifactsByType('system.Model')).items.filter((a) => a.externalId);
    expect(imported.length).toBe(1);
    model = imported[0]!;
    const origin = parseGlobalId(model.externalId!)!;
    expect(origin.origin).toBe('b');
    const [atSource] = await mlmdOf('b').getArtifactsByID([origin.id]);
    sourceSha = await sha256Of(storeOf('b'), atSource!.uri!);
    expect(await sha256Of(storeOf('c'), model.uri!)).toBe(sourceSha);
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    await lab?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is detected by the plan, copied again by apply, and ends byte-identical to the source', async () => {
    const c = storeOf('c');
    const ref = c.resolve(model.uri!);
    const size = (await c.head(ref))!.size;
    // Same key, same size, other bytes: written through S3 as any other tool would.
    await c.s3.send(new PutObjectCommand({ Bucket: ref.bucket, Key: ref.key, Body: Buffer.alloc(size, 0x5a) }));
    expect(await sha256Of(c, model.uri!)).not.toBe(sourceSha);

    const plan = await planProject(project, { env });
    expect(plan.inSync).toBe(false);
    const handoff = plan.operations.find((o) => o.kind === 'handoff' && o.location === 'c');
    expect(handoff, JSON.stringify(plan.operations)).toBeDefined();
    expect(handoff!.steps).toContain('train-model');

    const applied = await applyProject(project, { env, pollMs: 100 });
    const again = applied.applied.find((a) => a.kind === 'handoff' && a.location === 'c');
    expect(again?.status).toBe('done');
    expect(again?.bytesMoved).toBeGreaterThanOrEqual(size);
    expect(applied.inSync).toBe(true);
    expect(await sha256Of(c, model.uri!)).toBe(sourceSha);
    const inv = await checkInvariants(lab);
    expect(inv.importedExecutions).toMatchObject({ a: 0, b: 2, c: 4 });
  }, 60_000);
});
