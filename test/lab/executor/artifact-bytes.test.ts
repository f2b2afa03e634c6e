import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  checkArtifactBytes,
  labArtifactBuffer,
  labArtifactStream,
  planLabArtifact,
} from '../../../packages/lab/src/executor/artifact-bytes.js';

const SEED = 'a'.repeat(64);

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Feeds `bytes` in small pieces, as a network stream would. */
const pieces = (bytes: Buffer, size = 7): Readable =>
  Readable.from(
    Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size)),
  );

describe('the bytes the lab launcher writes', () => {
  it('have exactly the requested size and start with a header naming the seed', () => {
    const bytes = labArtifactBuffer(planLabArtifact(SEED, 'model', 1024));
    expect(bytes.length).toBe(1024);
    expect(bytes.subarray(0, bytes.indexOf(0x0a)).toString()).toBe(
      `kfp-lab-artifact/1 size=1024 seed=${SEED} name=model`,
    );
  });

  it('are the same whether built in memory or streamed', async () => {
    const plan = planLabArtifact(SEED, 'model', 200_000);
    expect((await collect(labArtifactStream(plan))).equals(labArtifactBuffer(plan))).toBe(true);
  });

  it('never shrink below their header', () => {
    const plan = planLabArtifact(SEED, 'x', 3);
    expect(plan.size).toBe(plan.header.length);
    expect(labArtifactBuffer(plan).length).toBe(plan.size);
  });

  it('differ for different seeds', () => {
    const a = labArtifactBuffer(planLabArtifact(SEED, 'm', 512));
    const b = labArtifactBuffer(planLabArtifact('b'.repeat(64), 'm', 512));
    expect(a.subarray(200).equals(b.subarray(200))).toBe(false);
  });
});

describe('checking downloaded bytes', () => {
  it('accepts an intact object and returns its seed', async () => {
    const bytes = labArtifactBuffer(planLabArtifact(SEED, 'model', 5000));
    expect(await checkArtifactBytes(pieces(bytes))).toEqual({ kind: 'lab', seed: SEED, size: 5000 });
  });

  it('reports a changed byte after the header as corrupt', async () => {
    const bytes = labArtifactBuffer(planLabArtifact(SEED, 'model', 5000));
    bytes[4000] = bytes[4000]! ^ 0xff;
    const check = await checkArtifactBytes(pieces(bytes, 1000));
    expect(check).toMatchObject({ kind: 'corrupt' });
    expect((check as { problem: string }).problem).toMatch(/differ from what the lab wrote/);
  });

  it('reports a truncated object as corrupt', async () => {
    const bytes = labArtifactBuffer(planLabArtifact(SEED, 'model', 5000));
    expect(await checkArtifactBytes(pieces(bytes.subarray(0, 4999)))).toEqual({
      kind: 'corrupt',
      problem: 'the object holds 4999 bytes where the lab wrote 5000',
    });
  });

  it('reports bytes appended to an object as corrupt', async () => {
    const bytes = labArtifactBuffer(planLabArtifact(SEED, 'model', 300));
    expect(await checkArtifactBytes(pieces(Buffer.concat([bytes, Buffer.from('x')])))).toMatchObject({
      kind: 'corrupt',
    });
  });

  it('calls bytes without a lab header foreign and gives their digest', async () => {
    const data = Buffer.from('col_a,col_b\n1,2\n');
    const check = await checkArtifactBytes(pieces(data));
    expect(check).toEqual({
      kind: 'foreign',
      sha256: createHash('sha256').update(data).digest('hex'),
      size: data.length,
    });
  });

  it('calls an empty object foreign', async () => {
    expect(await checkArtifactBytes(pieces(Buffer.alloc(0)))).toMatchObject({ kind: 'foreign', size: 0 });
  });
});
