// RPC handlers for type writes and reads.
import { TYPE_KIND } from './database.js';
import type { Handlers } from './handler-types.js';
import { getAllTypes, getTypeByName, getTypesByExternalIds, getTypesByIds, putType } from './type-store.js';
import type { WireType } from './wire.js';

interface PutTypeRequest {
  artifactType?: WireType;
  executionType?: WireType;
  contextType?: WireType;
  canAddFields?: boolean;
  canOmitFields?: boolean;
}

interface PutTypesRequest {
  artifactTypes?: WireType[];
  executionTypes?: WireType[];
  contextTypes?: WireType[];
  canAddFields?: boolean;
  canOmitFields?: boolean;
}

interface TypeNameRequest {
  typeName?: string;
  typeVersion?: string;
}

const checksOf = (request: { canAddFields?: boolean; canOmitFields?: boolean }) => ({
  canAddFields: request.canAddFields === true,
  canOmitFields: request.canOmitFields === true,
});

export const typeHandlers: Handlers = {
  PutArtifactType: ({ db }, request: PutTypeRequest) => ({
    typeId: putType(db, TYPE_KIND.artifact, request.artifactType ?? {}, checksOf(request)),
  }),
  PutExecutionType: ({ db }, request: PutTypeRequest) => ({
    typeId: putType(db, TYPE_KIND.execution, request.executionType ?? {}, checksOf(request)),
  }),
  PutContextType: ({ db }, request: PutTypeRequest) => ({
    typeId: putType(db, TYPE_KIND.context, request.contextType ?? {}, checksOf(request)),
  }),
  PutTypes: ({ db }, request: PutTypesRequest) => {
    const checks = checksOf(request);
    return {
      artifactTypeIds: (request.artifactTypes ?? []).map((t) => putType(db, TYPE_KIND.artifact, t, checks)),
      executionTypeIds: (request.executionTypes ?? []).map((t) => putType(db, TYPE_KIND.execution, t, checks)),
      contextTypeIds: (request.contextTypes ?? []).map((t) => putType(db, TYPE_KIND.context, t, checks)),
    };
  },
  GetArtifactType: ({ db }, request: TypeNameRequest) => ({
    artifactType: getTypeByName(db, TYPE_KIND.artifact, request.typeName ?? '', request.typeVersion),
  }),
  GetExecutionType: ({ db }, request: TypeNameRequest) => ({
    executionType: getTypeByName(db, TYPE_KIND.execution, request.typeName ?? '', request.typeVersion),
  }),
  GetContextType: ({ db }, request: TypeNameRequest) => ({
    contextType: getTypeByName(db, TYPE_KIND.context, request.typeName ?? '', request.typeVersion),
  }),
  GetArtifactTypes: ({ db }) => ({ artifactTypes: getAllTypes(db, TYPE_KIND.artifact) }),
  GetExecutionTypes: ({ db }) => ({ executionTypes: getAllTypes(db, TYPE_KIND.execution) }),
  GetContextTypes: ({ db }) => ({ contextTypes: getAllTypes(db, TYPE_KIND.context) }),
  GetArtifactTypesByID: ({ db }, request: { typeIds?: number[] }) => ({
    artifactTypes: getTypesByIds(db, TYPE_KIND.artifact, request.typeIds ?? []),
  }),
  GetExecutionTypesByID: ({ db }, request: { typeIds?: number[] }) => ({
    executionTypes: getTypesByIds(db, TYPE_KIND.execution, request.typeIds ?? []),
  }),
  GetContextTypesByID: ({ db }, request: { typeIds?: number[] }) => ({
    contextTypes: getTypesByIds(db, TYPE_KIND.context, request.typeIds ?? []),
  }),
  GetArtifactTypesByExternalIds: ({ db }, request: { externalIds?: string[] }) => ({
    artifactTypes: getTypesByExternalIds(db, TYPE_KIND.artifact, request.externalIds ?? []),
  }),
  GetExecutionTypesByExternalIds: ({ db }, request: { externalIds?: string[] }) => ({
    executionTypes: getTypesByExternalIds(db, TYPE_KIND.execution, request.externalIds ?? []),
  }),
  GetContextTypesByExternalIds: ({ db }, request: { externalIds?: string[] }) => ({
    contextTypes: getTypesByExternalIds(db, TYPE_KIND.context, request.externalIds ?? []),
  }),
};
