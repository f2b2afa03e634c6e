// Signature Version 4 checking for the lab's object store. s3rver 3.7.1 checks only V2 signatures
// and lets any V4 request with a known access key through (lib/middleware/authentication.js:
// "Signature version 4 calculation is unimplemented"); real S3 and MinIO refuse a bad signature
// with 403 SignatureDoesNotMatch, so the lab does too, computing the signature the way AWS
// documents it ("Create a canonical request for Signature Version 4", S3 flavour: the path is
// taken as sent, not normalised or encoded again). The payload hash is taken from
// x-amz-content-sha256 as declared (S3 also checks a signed body against it; the lab does not
// hash bodies).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface SigV4Failure {
  code: 'SignatureDoesNotMatch' | 'AuthorizationHeaderMalformed' | 'InvalidAccessKeyId';
  message: string;
}

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function canonicalQuery(search: string): string {
  if (search === '') return '';
  return search
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const i = pair.indexOf('=');
      const k = i < 0 ? pair : pair.slice(0, i);
      const v = i < 0 ? '' : pair.slice(i + 1);
      return [rfc3986(decode(k)), rfc3986(decode(v))] as const;
    })
    .sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

/**
 * Undefined when the request is not V4 header-signed (left to s3rver) or its signature is right;
 * otherwise why it is refused.
 */
export function checkSigV4(
  req: IncomingMessage,
  secretOf: (accessKeyId: string) => string | undefined,
): SigV4Failure | undefined {
  const authorization = req.headers['authorization'];
  if (typeof authorization !== 'string' || !authorization.startsWith('AWS4-HMAC-SHA256')) return undefined;
  const m = AUTH.exec(authorization);
  if (!m) return { code: 'AuthorizationHeaderMalformed', message: 'The authorization header is malformed.' };
  const [, accessKeyId, date, region, service, signedHeaders, signature] = m as unknown as string[];
  const secret = secretOf(accessKeyId!);
  if (secret === undefined) {
    return { code: 'InvalidAccessKeyId', message: 'The AWS Access Key Id you provided does not exist in our records.' };
  }
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  const payloadHash = String(req.headers['x-amz-content-sha256'] ?? '');
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const search = q < 0 ? '' : url.slice(q + 1);
  const names = signedHeaders!.split(';');
  const headerLines = names.map((name) => {
    const raw = req.headers[name];
    const value = Array.isArray(raw) ? raw.join(',') : String(raw ?? '');
    return `${name}:${value.trim().replace(/\s+/g, ' ')}\n`;
  });
  const canonicalRequest = [
    req.method ?? 'GET',
    path,
    canonicalQuery(search),
    headerLines.join(''),
    signedHeaders,
    payloadHash,
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    createHash('sha256').update(canonicalRequest).digest('hex'),
  ].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date!), region!), service!), 'aws4_request');
  const expected = Buffer.from(hmac(key, stringToSign).toString('hex'));
  const provided = Buffer.from(signature!);
  if (expected.length === provided.length && timingSafeEqual(expected, provided) && names.includes('host'))
    return undefined;
  return {
    code: 'SignatureDoesNotMatch',
    message:
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
  };
}
