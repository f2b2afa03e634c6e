// A createRun whose connection drops after the request went out: KFP may have created the run, and
// sending the request again would create a second one. The client looks the run up by name at once
// and adopts it; it never sends the request twice.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKfpServer, type KfpServer } from '../../../packages/lab/src/kfp/index.js';
import { eq, KfpClient, KfpError, where, type HttpRequest, type Transport } from '../../../src/location/kfp/index.js';
import { fetchTransport, TransportError } from '../../../src/location/kfp/transport.js';

let dir: string;
let lab: KfpServer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kfp-adopt-'));
  lab = await startKfpServer({ dbPath: join(dir, 'kfp.sqlite') });
});
afterAll(async () => {
  await lab.close();
  rmSync(dir, { recursive: true, force: true });
});

const spec = {
  pipelineInfo: { name: 'tiny' },
  schemaVersion: '2.1.0',
  sdkVersion: 'kfp-2.7.0',
  root: { dag: { tasks: {} } },
};
const isCreateRun = (req: HttpRequest) => req.method === 'POST' && req.url.pathname === '/apis/v2beta1/runs';

/** A client whose createRun POSTs lose their answer: after the server handled them, or before it saw them. */
function droppingClient(when: 'after-the-server-acted' | 'before-the-server-saw-it'): {
  client: KfpClient;
  posts: () => number;
} {
  let posts = 0;
  const transport: Transport = async (req) => {
    if (!isCreateRun(req)) return fetchTransport(req);
    posts++;
    if (when === 'after-the-server-acted') await fetchTransport(req);
    throw new TransportError('network', 'ECONNRESET', true);
  };
  return {
    client: new KfpClient({ location: 'train', endpoint: lab.url, retries: 3, retryBaseDelayMs: 1, transport }),
    posts: () => posts,
  };
}

const named = async (client: KfpClient, displayName: string) =>
  (await client.listRuns({ filter: where(eq('display_name', displayName)), pageSize: 50 })).items;

describe('createRun when the connection drops', () => {
  it('adopts the run KFP created instead of creating a second one', async () => {
    const { client, posts } = droppingClient('after-the-server-acted');
    const run = await client.createRun({
      displayName: 'thesis-1a2b-stage-1',
      description: 'stage 1. Stage run #1.',
      pipelineSpec: spec,
    });
    expect(posts()).toBe(1);
    const runs = await named(client, 'thesis-1a2b-stage-1');
    expect(runs.map((r) => r.run_id)).toEqual([run.run_id]);
    expect(run.description).toBe('stage 1. Stage run #1.');
  });

  it('does not adopt an earlier run of the same name, and fails as before when KFP created nothing', async () => {
    const plain = new KfpClient({ location: 'train', endpoint: lab.url });
    const earlier = await plain.createRun({
      displayName: 'thesis-1a2b-stage-2',
      description: 'stage 2. Stage run #1.',
      pipelineSpec: spec,
    });
    const { client, posts } = droppingClient('before-the-server-saw-it');
    const error = await client
      .createRun({ displayName: 'thesis-1a2b-stage-2', description: 'stage 2. Stage run #2.', pipelineSpec: spec })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KfpError);
    expect((error as KfpError).message).toMatch(
      /createRun thesis-1a2b-stage-2 failed: cannot talk to .*ECONNRESET.*may have been carried out/,
    );
    expect(posts()).toBe(1); // never sent again
    expect((await named(client, 'thesis-1a2b-stage-2')).map((r) => r.run_id)).toEqual([earlier.run_id]);
  });
});
