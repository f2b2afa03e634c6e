// RPC handlers for node and edge reads. Not-found behaviour follows metadata_store.cc per call:
// by-id reads skip missing ids, by-type/name reads answer OK and empty, by-external-id reads and
// contexts-of-a-node reads answer NOT_FOUND when nothing matches.
import type { Db } from './database.js';
import type { Handlers } from './handler-types.js';
import { childContextIds, contextIdsOf, memberIdsOf, parentContextIds, readEvents } from './link-store.js';
import { listNodes } from './list-nodes.js';
import { ARTIFACT, CONTEXT, EXECUTION, type NodeKind } from './node-kinds.js';
import {
  allNodeIds,
  artifactIdsByUris,
  nodeIdsOfType,
  readNodeByTypeAndName,
  readNodes,
  readNodesByExternalIds,
} from './node-read.js';
import { findTypeId, getTypesByIds } from './type-store.js';
import type { WireListOptions, WireNode } from './wire.js';

interface ByTypeRequest {
  typeName?: string;
  typeVersion?: string;
  options?: WireListOptions;
}

interface Page {
  nodes: WireNode[];
  nextPageToken?: string;
}

function page(
  db: Db,
  kind: NodeKind,
  options: WireListOptions | undefined,
  all: () => number[],
  scope: { typeId?: number; contextId?: number },
): Page {
  // Without options MLMD returns every node (Find*), with options one page (ListNodes).
  if (!options) return { nodes: readNodes(db, kind, all()) };
  const listed = listNodes(db, kind, options, scope);
  return listed.nextPageToken ? listed : { nodes: listed.nodes };
}

function byType(db: Db, kind: NodeKind, request: ByTypeRequest): Page {
  const typeId = findTypeId(db, kind.typeKind, request.typeName ?? '', request.typeVersion);
  if (typeId === undefined) return { nodes: [] };
  return page(db, kind, request.options, () => nodeIdsOfType(db, kind, typeId), { typeId });
}

function byContext(db: Db, kind: NodeKind, request: { contextId?: number; options?: WireListOptions }): Page {
  const contextId = request.contextId ?? 0;
  const members = memberIdsOf(db, kind.table === 'Artifact' ? 'artifact' : 'execution', contextId);
  if (members.length === 0) return { nodes: [] };
  return page(db, kind, request.options, () => members, { contextId });
}

function byTypeAndName(
  db: Db,
  kind: NodeKind,
  typeName = '',
  typeVersion: string | undefined,
  name = '',
): WireNode | undefined {
  const typeId = findTypeId(db, kind.typeKind, typeName, typeVersion);
  return typeId === undefined ? undefined : readNodeByTypeAndName(db, kind, typeId, name);
}

const listed = (key: string, result: Page): object =>
  result.nextPageToken ? { [key]: result.nodes, nextPageToken: result.nextPageToken } : { [key]: result.nodes };

export const readHandlers: Handlers = {
  GetArtifactsByID: ({ db }, request: { artifactIds?: number[]; populateArtifactTypes?: boolean }) => {
    const artifacts = readNodes(db, ARTIFACT, request.artifactIds ?? []);
    if (!request.populateArtifactTypes) return { artifacts };
    // The types come deduplicated, not index-aligned (ParseNodeRecordSetToDedupedTypes).
    const typeIds = [...new Set(artifacts.map((a) => a.typeId as number))];
    return { artifacts, artifactTypes: getTypesByIds(db, ARTIFACT.typeKind, typeIds) };
  },
  GetExecutionsByID: ({ db }, request: { executionIds?: number[] }) => ({
    executions: readNodes(db, EXECUTION, request.executionIds ?? []),
  }),
  GetContextsByID: ({ db }, request: { contextIds?: number[] }) => ({
    contexts: readNodes(db, CONTEXT, request.contextIds ?? []),
  }),
  GetArtifactsByExternalIds: ({ db }, request: { externalIds?: string[] }) => ({
    artifacts: readNodesByExternalIds(db, ARTIFACT, request.externalIds ?? []),
  }),
  GetExecutionsByExternalIds: ({ db }, request: { externalIds?: string[] }) => ({
    executions: readNodesByExternalIds(db, EXECUTION, request.externalIds ?? []),
  }),
  GetContextsByExternalIds: ({ db }, request: { externalIds?: string[] }) => ({
    contexts: readNodesByExternalIds(db, CONTEXT, request.externalIds ?? []),
  }),
  GetArtifactByTypeAndName: ({ db }, r: { typeName?: string; typeVersion?: string; artifactName?: string }) => {
    const artifact = byTypeAndName(db, ARTIFACT, r.typeName, r.typeVersion, r.artifactName);
    return artifact ? { artifact } : {};
  },
  GetExecutionByTypeAndName: ({ db }, r: { typeName?: string; typeVersion?: string; executionName?: string }) => {
    const execution = byTypeAndName(db, EXECUTION, r.typeName, r.typeVersion, r.executionName);
    return execution ? { execution } : {};
  },
  // OK and empty when the type or the context is missing (KFP's client.go notes this quirk).
  GetContextByTypeAndName: ({ db }, r: { typeName?: string; typeVersion?: string; contextName?: string }) => {
    const context = byTypeAndName(db, CONTEXT, r.typeName, r.typeVersion, r.contextName);
    return context ? { context } : {};
  },
  GetArtifactsByURI: ({ db }, request: { uris?: string[] }) => ({
    artifacts: readNodes(db, ARTIFACT, artifactIdsByUris(db, request.uris ?? [])),
  }),
  GetArtifacts: ({ db }, r: { options?: WireListOptions }) =>
    listed(
      'artifacts',
      page(db, ARTIFACT, r.options, () => allNodeIds(db, ARTIFACT), {}),
    ),
  GetExecutions: ({ db }, r: { options?: WireListOptions }) =>
    listed(
      'executions',
      page(db, EXECUTION, r.options, () => allNodeIds(db, EXECUTION), {}),
    ),
  GetContexts: ({ db }, r: { options?: WireListOptions }) =>
    listed(
      'contexts',
      page(db, CONTEXT, r.options, () => allNodeIds(db, CONTEXT), {}),
    ),
  GetArtifactsByType: ({ db }, r: ByTypeRequest) => listed('artifacts', byType(db, ARTIFACT, r)),
  GetExecutionsByType: ({ db }, r: ByTypeRequest) => listed('executions', byType(db, EXECUTION, r)),
  GetContextsByType: ({ db }, r: ByTypeRequest) => listed('contexts', byType(db, CONTEXT, r)),
  GetArtifactsByContext: ({ db }, r: { contextId?: number; options?: WireListOptions }) =>
    listed('artifacts', byContext(db, ARTIFACT, r)),
  GetExecutionsByContext: ({ db }, r: { contextId?: number; options?: WireListOptions }) =>
    listed('executions', byContext(db, EXECUTION, r)),
  GetContextsByArtifact: ({ db }, r: { artifactId?: number }) => ({
    contexts: readNodes(db, CONTEXT, contextIdsOf(db, 'artifact', r.artifactId ?? 0)),
  }),
  GetContextsByExecution: ({ db }, r: { executionId?: number }) => ({
    contexts: readNodes(db, CONTEXT, contextIdsOf(db, 'execution', r.executionId ?? 0)),
  }),
  GetParentContextsByContext: ({ db }, r: { contextId?: number }) => ({
    contexts: readNodes(db, CONTEXT, parentContextIds(db, r.contextId ?? 0)),
  }),
  GetChildrenContextsByContext: ({ db }, r: { contextId?: number }) => ({
    contexts: readNodes(db, CONTEXT, childContextIds(db, r.contextId ?? 0)),
  }),
  GetEventsByExecutionIDs: ({ db }, r: { executionIds?: number[] }) => ({
    events: readEvents(db, 'execution_id', r.executionIds ?? []),
  }),
  GetEventsByArtifactIDs: ({ db }, r: { artifactIds?: number[] }) => ({
    events: readEvents(db, 'artifact_id', r.artifactIds ?? []),
  }),
};
