// SHA-256 of object bytes, computed while they stream. The digest is kept as user metadata
// `sha256` (sent as `x-amz-meta-sha256`) because ETags cannot serve: a multipart ETag is not a
// digest of the bytes, and S3-compatible stores differ in how they compute it
// (AWS S3 and MinIO return `md5(part md5s)-N`, s3rver the MD5 of the whole object).
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { IntegrityError } from './errors.js';

/** The user-metadata name of our digest (lower-case hex SHA-256 of the object's bytes). */
export const SHA256_METADATA = 'sha256';

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** ETags compared as S3-compatible stores give them, with or without the surrounding quotes. */
export function sameEtag(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.replace(/^"|"$/g, '') === b.replace(/^"|"$/g, '');
}

export function isSha256Hex(value: string | undefined): value is string {
  return value !== undefined && /^[0-9a-f]{64}$/.test(value);
}

/**
 * Passes bytes through while hashing and counting them. With an expected digest or length it
 * holds back the last chunk until the end has been checked, so a consumer that commits on
 * end-of-stream (a multipart upload's Complete) never sees the end of bad data: it sees an
 * `IntegrityError` instead and aborts.
 */
export class DigestingStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private held: Buffer | undefined;
  private count = 0;
  private digest: string | undefined;

  constructor(
    private readonly expected: { sha256?: string; length?: number } = {},
    /** Turns an integrity failure into the error the consumer should see. */
    private readonly describe: (err: IntegrityError) => Error = (err) => err,
  ) {
    super();
  }

  get bytes(): number {
    return this.count;
  }

  /** The hex digest, available once the stream has ended. */
  get sha256(): string {
    if (this.digest === undefined) throw new Error('DigestingStream: digest read before the end of the stream');
    return this.digest;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.count += chunk.length;
    if (this.expected.length !== undefined && this.count > this.expected.length) {
      callback(
        this.describe(
          new IntegrityError('LengthMismatch', `read more than the expected ${this.expected.length} bytes`),
        ),
      );
      return;
    }
    const previous = this.held;
    this.held = chunk;
    callback(null, previous);
  }

  override _flush(callback: TransformCallback): void {
    this.digest = this.hash.digest('hex');
    const { sha256, length } = this.expected;
    if (length !== undefined && this.count !== length) {
      callback(this.describe(new IntegrityError('LengthMismatch', `read ${this.count} bytes, expected ${length}`)));
      return;
    }
    if (sha256 !== undefined && this.digest !== sha256) {
      callback(
        this.describe(
          new IntegrityError(
            'ChecksumMismatch',
            `SHA-256 of the bytes read is ${this.digest}, but the object's recorded sha256 is ${sha256}`,
          ),
        ),
      );
      return;
    }
    callback(null, this.held);
  }
}
