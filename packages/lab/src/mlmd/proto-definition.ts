// Loads the MLMD service definition from `<package root>/proto`, the same .proto files the
// product's client uses, so the lab speaks ml_metadata.MetadataStoreService byte-for-byte.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { findPackageRoot } from '../../../../src/package-root.js';

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

/** `<package root>/proto`, from this module (source tree or bundle) or from `from`. */
export function findProtoRoot(from: string = fileURLToPath(import.meta.url)): string {
  return path.join(findPackageRoot(from), 'proto');
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
