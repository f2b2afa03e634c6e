// Loads the MetadataStoreService client constructor from `<package root>/proto`. The root is
// found by walking up from this module to the package.json named split-pipelines, which works
// from the TypeScript sources (vitest) and from the esbuild bundle (dist/cli.js) alike.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const PACKAGE_NAME = 'split-pipelines';
const SERVICE_PROTO = 'ml_metadata/proto/metadata_store_service.proto';

export function findProtoRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = path.dirname(from);
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME) {
          return path.join(dir, 'proto');
        }
      } catch {
        // not ours; keep walking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(
        `ML Metadata client: cannot find the ${PACKAGE_NAME} package root above ${from}, so the MLMD ` +
          'protocol definitions (proto/) cannot be loaded; reinstall split-pipelines or run it from its checkout',
      );
    }
    dir = parent;
  }
}

let cached: grpc.ServiceClientConstructor | undefined;

/** The generated client constructor, loaded once per process. */
export function metadataStoreClientConstructor(): grpc.ServiceClientConstructor {
  if (cached) return cached;
  const definition = protoLoader.loadSync(SERVICE_PROTO, {
    includeDirs: [findProtoRoot()],
    keepCase: false,
    longs: Number,
    enums: String,
    // No implicit defaults keeps proto2 presence (unset fields absent); arrays/objects make empty
    // repeated and map fields [] and {} rather than absent.
    defaults: false,
    arrays: true,
    objects: true,
    oneofs: false,
  });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    ml_metadata: { MetadataStoreService: grpc.ServiceClientConstructor };
  };
  cached = loaded.ml_metadata.MetadataStoreService;
  return cached;
}
