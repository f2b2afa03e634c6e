// The bytes the lab's launcher writes for an output artifact, and the check its downloads make.
//
// A real component writes whatever it computes; the real launcher then copies input artifacts from
// the object store before the user code starts (`downloadArtifacts` in
// `backend/src/v2/component/launcher_v2.go`), downloading nothing, without error, where there is no
// object; the user code fails when it opens the missing file, or chokes on a damaged one. The lab
// has no user code, so its outputs are self-verifying instead: one header line naming a seed and
// the total size, then a keystream derived from the seed. Reading regenerates the stream and
// compares, so a truncated, extended or altered object is told from a byte-exact copy (what a
// handoff makes); what the lab's component does with each is component-io.ts.
import { createCipheriv, createHash, type Cipher } from 'node:crypto';
import { Readable } from 'node:stream';

export const LAB_ARTIFACT_MAGIC = 'kfp-lab-artifact/1';

const HEADER = /^kfp-lab-artifact\/1 size=(\d+) seed=([0-9a-f]{64}) name=(\S*)$/;
/** A header line is far shorter than this; a longer first line cannot be one. */
const MAX_HEADER = 512;
const CHUNK = 64 * 1024;

export interface LabArtifactPlan {
  header: Buffer;
  /** Total object size, header included. */
  size: number;
  seed: string;
}

/** The object for `seed`: `requestedSize` bytes in all, but never shorter than its header. */
export function planLabArtifact(seed: string, name: string, requestedSize: number): LabArtifactPlan {
  const safeName = name.replace(/[^A-Za-z0-9._-]/g, '_');
  // The size is part of the header, so find the fixed point (the digit count may grow by one).
  let size = Math.max(0, Math.floor(requestedSize));
  for (let i = 0; i < 3; i++) {
    const headerLength = Buffer.byteLength(`${LAB_ARTIFACT_MAGIC} size=${size} seed=${seed} name=${safeName}\n`);
    if (size < headerLength) size = headerLength;
  }
  return { header: Buffer.from(`${LAB_ARTIFACT_MAGIC} size=${size} seed=${seed} name=${safeName}\n`), size, seed };
}

function keystream(seed: string): Cipher {
  const key = createHash('sha256').update(`kfp-lab-artifact:${seed}`).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
}

/** The object's bytes, streamed (outputs may be configured large for benchmarks). */
export function labArtifactStream(plan: LabArtifactPlan): Readable {
  const cipher = keystream(plan.seed);
  let remaining = plan.size - plan.header.length;
  let headerSent = false;
  return new Readable({
    read() {
      if (!headerSent) {
        headerSent = true;
        this.push(plan.header);
        return;
      }
      if (remaining <= 0) {
        this.push(null);
        return;
      }
      const n = Math.min(CHUNK, remaining);
      remaining -= n;
      this.push(cipher.update(Buffer.alloc(n)));
    },
  });
}

export function labArtifactBuffer(plan: LabArtifactPlan): Buffer {
  const body = keystream(plan.seed).update(Buffer.alloc(plan.size - plan.header.length));
  return Buffer.concat([plan.header, body]);
}

export type ArtifactCheck =
  /** Written by a lab launcher (here or at another lab location) and intact. */
  | { kind: 'lab'; seed: string; size: number }
  /** Not written by a lab launcher (e.g. data a user uploaded for an importer). */
  | { kind: 'foreign'; sha256: string; size: number }
  /** A lab header, but the bytes after it are not the ones it promises. */
  | { kind: 'corrupt'; problem: string };

/** Reads `body` to its end and says what it holds. */
export async function checkArtifactBytes(body: AsyncIterable<Buffer | Uint8Array | string>): Promise<ArtifactCheck> {
  const digest = createHash('sha256');
  let head = Buffer.alloc(0);
  let plan: { size: number; seed: string; cipher: Cipher } | undefined;
  let decided = false;
  let total = 0;
  let problem: string | undefined;

  const compare = (chunk: Buffer, offset: number): void => {
    if (!plan || problem) return;
    const expected = plan.cipher.update(Buffer.alloc(chunk.length));
    if (!expected.equals(chunk)) problem = `the bytes from offset ${offset} on differ from what the lab wrote`;
  };

  for await (const raw of body) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : Buffer.from(raw);
    digest.update(chunk);
    total += chunk.length;
    if (decided) {
      compare(chunk, total - chunk.length);
      continue;
    }
    head = Buffer.concat([head, chunk]);
    const newline = head.indexOf(0x0a);
    if (newline < 0 && head.length < MAX_HEADER) continue;
    decided = true;
    const match = newline >= 0 ? HEADER.exec(head.subarray(0, newline).toString('latin1')) : null;
    if (match) {
      plan = { size: Number(match[1]), seed: match[2]!, cipher: keystream(match[2]!) };
      compare(head.subarray(newline + 1), newline + 1);
    }
    head = Buffer.alloc(0);
  }
  if (!decided) {
    const match =
      head.length > 0 && head[head.length - 1] === 0x0a
        ? HEADER.exec(head.subarray(0, head.length - 1).toString('latin1'))
        : null;
    if (match) plan = { size: Number(match[1]), seed: match[2]!, cipher: keystream(match[2]!) };
  }
  if (!plan) return { kind: 'foreign', sha256: digest.digest('hex'), size: total };
  if (problem) return { kind: 'corrupt', problem };
  if (total !== plan.size)
    return { kind: 'corrupt', problem: `the object holds ${total} bytes where the lab wrote ${plan.size}` };
  return { kind: 'lab', seed: plan.seed, size: total };
}
