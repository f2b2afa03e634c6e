/** Test helpers for the lab KFP API server: a server in a temporary directory and raw HTTP calls. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKfpServer, type KfpServer, type KfpServerOptions } from '../../../packages/lab/src/kfp/index.js';
import { compiledFixturesDir } from '../../support/fixtures.js';

export interface LabServer extends KfpServer {
  dir: string;
  dbPath: string;
  /** Closes the server and removes its directory. */
  dispose(): Promise<void>;
}

export async function startLab(opts: Partial<KfpServerOptions> & { dir?: string } = {}): Promise<LabServer> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'kfp-lab-'));
  const dbPath = join(dir, 'kfp.sqlite');
  const server = await startKfpServer({ ...opts, dbPath });
  return {
    ...server,
    dir,
    dbPath,
    dispose: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const fixture = (name: string): string => readFileSync(join(compiledFixturesDir, name), 'utf8');

export interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON body (undefined when the body is not JSON). */
  json: unknown;
}

export type JsonBody = { [key: string]: unknown };

export async function call(
  server: { url: string },
  method: string,
  path: string,
  opts: { body?: unknown; headers?: Record<string, string>; query?: Record<string, string | number> } = {},
): Promise<CallResult> {
  const url = new URL(path, server.url);
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, String(v));
  const init: RequestInit = { method, headers: { ...(opts.headers ?? {}) } };
  if (opts.body !== undefined) {
    init.body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const res = await fetch(url, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** The JSON body as an object (fails the test helpfully when it is not one). */
export function body(r: CallResult): JsonBody {
  if (typeof r.json !== 'object' || r.json === null || Array.isArray(r.json))
    throw new Error(`expected a JSON object, got ${r.status} ${r.text}`);
  return r.json as JsonBody;
}

export async function upload(
  server: { url: string },
  yamlText: string,
  query: Record<string, string> = {},
  opts: { fileName?: string; headers?: Record<string, string>; path?: string } = {},
): Promise<CallResult> {
  const form = new FormData();
  form.append('uploadfile', new Blob([yamlText], { type: 'application/x-yaml' }), opts.fileName ?? 'pipeline.yaml');
  const url = new URL(opts.path ?? '/apis/v2beta1/pipelines/upload', server.url);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const res = await fetch(url, { method: 'POST', body: form, headers: opts.headers ?? {} });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Uploads a fixture as a pipeline and returns `{pipelineId, versionId}`. */
export async function uploadFixture(
  server: { url: string },
  fixtureName: string,
  name: string,
  extra: Record<string, string> = {},
  headers?: Record<string, string>,
): Promise<{ pipelineId: string; versionId: string }> {
  const up = await upload(server, fixture(fixtureName), { name, ...extra }, headers ? { headers } : {});
  if (up.status !== 200) throw new Error(`upload failed: ${up.status} ${up.text}`);
  const pipelineId = String(body(up)['pipeline_id']);
  const versions = await call(
    server,
    'GET',
    `/apis/v2beta1/pipelines/${pipelineId}/versions`,
    headers ? { headers } : {},
  );
  const list = body(versions)['pipeline_versions'] as JsonBody[];
  return { pipelineId, versionId: String(list[0]?.['pipeline_version_id']) };
}
