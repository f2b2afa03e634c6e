// Loads the MLMD service definition from `<package root>/proto`, the same .proto files the
// product's client uses, so the lab speaks ml_metadata.MetadataStoreService byte-for-byte.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const PACKAGE_NAME = 'split-pipelines';
const SERVICE_PROTO = 'ml_metadata/proto/metadata_store_service.proto';

// camelCase fields, int64 as JS numbers, enums as names, no implicit defaults (so proto2 field
// presence survives: an unset `name` is absent, an explicit empty one is '').
export const MLMD_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: false,
  oneofs: false,
};

/** Walks up from this module (source tree or esbuild bundle) to the split-pipelines package root. */
export function findProtoRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = path.dirname(from);
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown };
        if (parsed.name === PACKAGE_NAME) return path.join(dir, 'proto');
      } catch {
        // an unreadable package.json is not ours; keep walking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(
        `MLMD lab: cannot find the ${PACKAGE_NAME} package root (with proto/) above ${from}; ` +
          'run from the split-pipelines checkout or an installed copy that includes proto/',
      );
    }
    dir = parent;
  }
}

let cached: grpc.ServiceDefinition | undefined;

/** The MetadataStoreService definition, loaded once per process. */
export function metadataStoreServiceDefinition(): grpc.ServiceDefinition {
  if (cached) return cached;
  const definition = protoLoader.loadSync(SERVICE_PROTO, {
    ...MLMD_LOADER_OPTIONS,
    includeDirs: [findProtoRoot()],
  });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    ml_metadata: { MetadataStoreService: grpc.ServiceClientConstructor };
  };
  cached = loaded.ml_metadata.MetadataStoreService.service;
  return cached;
}
