// RPC handlers for node and edge writes. Every call is one transaction (the server wraps it), so
// a batch that fails part-way leaves nothing behind, as MLMD's transaction_executor does.
import type { Handlers } from './handler-types.js';
import { addParentContext, associate, attribute, createEvent } from './link-store.js';
import { ARTIFACT, CONTEXT, EXECUTION } from './node-kinds.js';
import { upsertNode } from './node-write.js';
import { type PutExecutionRequest, putExecution } from './put-execution.js';
import { failedPrecondition } from './status.js';
import type { WireEvent, WireFieldMask, WireNode } from './wire.js';

interface PutArtifactsRequest {
  artifacts?: WireNode[];
  options?: { abortIfLatestUpdatedTimeChanged?: boolean };
  updateMask?: WireFieldMask;
}

export const writeHandlers: Handlers = {
  PutArtifacts: ({ db, now }, request: PutArtifactsRequest) => {
    const mask = request.updateMask?.paths ?? [];
    const artifactIds = (request.artifacts ?? []).map((artifact) => {
      if (artifact.id !== undefined && request.options?.abortIfLatestUpdatedTimeChanged) {
        const stored = db
          .prepare('SELECT last_update_time_since_epoch AS t FROM Artifact WHERE id = ?')
          .get(artifact.id) as { t: number } | undefined;
        if (stored && stored.t !== artifact.lastUpdateTimeSinceEpoch) {
          throw failedPrecondition(
            `\`abort_if_latest_updated_time_changed\` is set, and the stored artifact with id = ${artifact.id} ` +
              `has a different last_update_time_since_epoch: ${stored.t}`,
          );
        }
      }
      return upsertNode(db, ARTIFACT, artifact, mask, now);
    });
    return { artifactIds };
  },
  PutExecutions: ({ db, now }, request: { executions?: WireNode[]; updateMask?: WireFieldMask }) => ({
    executionIds: (request.executions ?? []).map((e) =>
      upsertNode(db, EXECUTION, e, request.updateMask?.paths ?? [], now),
    ),
  }),
  PutContexts: ({ db, now }, request: { contexts?: WireNode[]; updateMask?: WireFieldMask }) => ({
    contextIds: (request.contexts ?? []).map((c) => upsertNode(db, CONTEXT, c, request.updateMask?.paths ?? [], now)),
  }),
  PutEvents: ({ db, now }, request: { events?: WireEvent[] }) => {
    for (const event of request.events ?? []) createEvent(db, event, now);
    return {};
  },
  PutExecution: ({ db, now }, request: PutExecutionRequest) => putExecution(db, request, now),
  PutAttributionsAndAssociations: (
    { db },
    request: {
      attributions?: { artifactId?: number; contextId?: number }[];
      associations?: { executionId?: number; contextId?: number }[];
    },
  ) => {
    for (const a of request.attributions ?? []) attribute(db, a.contextId, a.artifactId);
    for (const a of request.associations ?? []) associate(db, a.contextId, a.executionId);
    return {};
  },
  PutParentContexts: ({ db }, request: { parentContexts?: { childId?: number; parentId?: number }[] }) => {
    for (const link of request.parentContexts ?? []) addParentContext(db, link.childId, link.parentId);
    return {};
  },
};
