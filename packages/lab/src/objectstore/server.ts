// The lab location's object store: s3rver 3.7.1 (a real S3-protocol server, path-style, objects
// durable on disk under `dir`) behind node:http, with the fixes of store-fixes.ts and routes.ts
// and optional fault injection.
import { mkdir } from 'node:fs/promises';
import { closeServer, listen } from '../listen.js';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { FaultInjector, type FaultStats, type ObjectStoreFaults } from './faults.js';
import { labRoutes } from './routes.js';
import type { ObjectStoreLimits } from './multipart-routes.js';
import { checkSigV4 } from './sigv4-check.js';
import { createS3rver, s3rverSecretOf } from './s3rver-binding.js';
import { installStoreFixes } from './store-fixes.js';

export interface StartObjectStoreOptions {
  /** Directory holding the buckets; reusing it after a restart keeps every object. */
  dir: string;
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Buckets created at start (existing ones are kept). */
  buckets: string[];
  faults?: ObjectStoreFaults;
  /** S3's limits (single-copy size, minimum part size); defaults are AWS S3's. */
  limits?: ObjectStoreLimits;
}

export interface LabObjectStore {
  /** `http://host:port`, for a path-style S3 client. */
  endpoint: string;
  port: number;
  /** s3rver's fixed account; the server checks V4 signatures made with it (sigv4-check.ts). */
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
  /** Replaces the fault rules (and restarts their request count). */
  setFaults(faults: ObjectStoreFaults): void;
  faultStats(): FaultStats;
  close(): Promise<void>;
}

const LAB_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/**
 * s3rver stores `aws-chunked` bodies with their chunk framing, silently corrupting them
 * (a 50 MiB stream PUT with the SDK's default checksums was stored 7,242 bytes longer, with a wrong
 * ETag and no error); fail loudly instead, naming the client setting to change.
 */
function rejectsAwsChunked(req: IncomingMessage, res: ServerResponse): boolean {
  const encoding = String(req.headers['content-encoding'] ?? '');
  const payload = String(req.headers['x-amz-content-sha256'] ?? '');
  if (!encoding.includes('aws-chunked') && !payload.startsWith('STREAMING-')) return false;
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NotImplemented</Code><Message>' +
    'The lab object store does not accept aws-chunked uploads; configure the S3 client with ' +
    "requestChecksumCalculation: 'WHEN_REQUIRED'.</Message></Error>";
  req.resume();
  res.writeHead(501, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  res.end(body);
  return true;
}

function rejectsBadSignature(req: IncomingMessage, res: ServerResponse): boolean {
  const failure = checkSigV4(req, s3rverSecretOf);
  if (!failure) return false;
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${failure.code}</Code><Message>${failure.message}</Message></Error>`;
  req.resume();
  res.writeHead(403, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}

export async function startObjectStore(options: StartObjectStoreOptions): Promise<LabObjectStore> {
  const host = options.host ?? '127.0.0.1';
  await mkdir(options.dir, { recursive: true });
  const app = createS3rver({
    directory: options.dir,
    silent: true,
    vhostBuckets: false,
    configureBuckets: options.buckets.map((name) => ({ name })),
  });
  // Koa prints errors of requests to stderr unless someone listens; S3 errors are answers here.
  app.on('error', () => undefined);
  installStoreFixes(app, options.limits);
  app.middleware.splice(app.middleware.length - 1, 0, labRoutes(app, options.limits));
  await app.configureBuckets();

  const faults = new FaultInjector(options.faults);
  const s3 = app.getMiddleware();
  const server = createServer(
    faults.wrap((req, res) => {
      if (rejectsAwsChunked(req, res) || rejectsBadSignature(req, res)) return;
      s3(req, res);
    }),
  );
  const { port, url } = await listen(server, host, options.port);

  return {
    endpoint: url,
    port,
    credentials: { ...LAB_CREDENTIALS },
    region: 'us-east-1',
    setFaults: (f) => faults.set(f),
    faultStats: () => faults.stats(),
    close: async () => {
      await closeServer(server);
      app.logger.exceptions.unhandle();
      app.logger.close();
    },
  };
}
