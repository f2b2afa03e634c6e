// PutExecution: the execution, its artifacts and events, its contexts and the links between them,
// all in the caller's transaction so a failure leaves nothing behind. Mirrors
// MetadataStore::PutExecution, UpsertArtifactAndEvent and UpsertContextWithOptions in
// ml_metadata/metadata_store/metadata_store.cc.
import { status } from '@grpc/grpc-js';
import type { Db } from './database.js';
import { associate, attribute, createEvent } from './link-store.js';
import { ARTIFACT, CONTEXT, EXECUTION } from './node-kinds.js';
import { upsertNode } from './node-write.js';
import { MlmdStatus, invalidArgument } from './status.js';
import type { WireEvent, WireNode } from './wire.js';

export interface PutExecutionRequest {
  execution?: WireNode;
  artifactEventPairs?: { artifact?: WireNode; event?: WireEvent }[];
  contexts?: WireNode[];
  options?: { reuseContextIfAlreadyExist?: boolean; reuseArtifactIfAlreadyExistByExternalId?: boolean };
}

export interface PutExecutionResponse {
  executionId: number;
  artifactIds: number[];
  contextIds: number[];
}

function artifactIdByExternalId(db: Db, externalId: string): number | undefined {
  const row = db.prepare('SELECT id FROM Artifact WHERE external_id = ?').get(externalId) as { id: number } | undefined;
  return row?.id;
}

function upsertArtifactAndEvent(
  db: Db,
  pair: { artifact?: WireNode; event?: WireEvent },
  reuseByExternalId: boolean,
  now: number,
): number {
  if (!pair.artifact && !pair.event) return -1;
  const eventArtifactId = pair.event?.artifactId;
  if (!pair.artifact) {
    if (eventArtifactId === undefined) {
      throw invalidArgument('If no artifact is present, given event must have an artifact_id');
    }
    createEvent(db, pair.event as WireEvent, now, true);
    return eventArtifactId;
  }
  const artifact = { ...pair.artifact };
  if (reuseByExternalId && artifact.id === undefined && artifact.externalId) {
    const existing = artifactIdByExternalId(db, artifact.externalId);
    if (existing !== undefined) artifact.id = existing;
  }
  if (eventArtifactId !== undefined && artifact.id !== eventArtifactId) {
    throw invalidArgument('Given event.artifact_id is not aligned with the artifact');
  }
  const artifactId = upsertNode(db, ARTIFACT, artifact, [], now);
  if (pair.event) createEvent(db, { ...pair.event, artifactId }, now, true);
  return artifactId;
}

function upsertContext(db: Db, context: WireNode, reuse: boolean, now: number): number {
  if (context.typeId === undefined) throw invalidArgument('Context is missing a type_id');
  if (context.name === undefined) throw invalidArgument('Context is missing a name');
  if (reuse && context.id === undefined) {
    const row = db
      .prepare('SELECT id FROM Context WHERE type_id = ? AND name = ?')
      .get(context.typeId, context.name) as { id: number } | undefined;
    if (row) return row.id;
  }
  try {
    return upsertNode(db, CONTEXT, context, [], now);
  } catch (error) {
    // With reuse on, a duplicate can only come from a concurrent first creation: MLMD answers
    // ABORTED so the client retries the whole transaction.
    if (reuse && error instanceof MlmdStatus && error.code === status.ALREADY_EXISTS) {
      throw new MlmdStatus(
        status.ABORTED,
        `Concurrent creation of the same context at the first time. Retry the transaction to reuse the context: ${error.message}`,
      );
    }
    throw error;
  }
}

export function putExecution(db: Db, request: PutExecutionRequest, now: number): PutExecutionResponse {
  const execution = request.execution;
  if (!execution) throw invalidArgument('No execution is found in the PutExecution request');
  const executionId = upsertNode(db, EXECUTION, execution, [], now);
  const artifactIds: number[] = [];
  for (const pair of request.artifactEventPairs ?? []) {
    let event = pair.event;
    if (event) {
      if (event.executionId !== undefined && (execution.id === undefined || execution.id !== event.executionId)) {
        throw invalidArgument("Request's event.execution_id does not match with the given execution");
      }
      event = { ...event, executionId };
    }
    artifactIds.push(
      upsertArtifactAndEvent(
        db,
        { artifact: pair.artifact, event },
        request.options?.reuseArtifactIfAlreadyExistByExternalId === true,
        now,
      ),
    );
  }
  const contextIds: number[] = [];
  const linkedArtifacts = [...new Set(artifactIds)].filter((id) => id > 0);
  for (const context of request.contexts ?? []) {
    const contextId = upsertContext(db, context, request.options?.reuseContextIfAlreadyExist === true, now);
    contextIds.push(contextId);
    associate(db, contextId, executionId, true);
    for (const artifactId of linkedArtifacts) attribute(db, contextId, artifactId, true);
  }
  return { executionId, artifactIds, contextIds };
}
