// Loads the MetadataStoreService client constructor from `<package root>/proto`. The root is
// found by walking up from this module to the package.json named split-pipelines, which works
// from the TypeScript sources (vitest) and from the esbuild bundle (dist/cli.js) alike.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { findPackageRoot } from '../../package-root.js';

const SERVICE_PROTO = 'ml_metadata/proto/metadata_store_service.proto';

/** `<package root>/proto`, from this module (source tree or bundle) or from `from`. */
export function findProtoRoot(from: string = fileURLToPath(import.meta.url)): string {
  return path.join(findPackageRoot(from), 'proto');
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
