// Edges: events, attributions, associations and parent contexts. Validation and duplicate
// handling follow CreateEvent / CreateAttribution / CreateAssociation / CreateParentContext in
// ml_metadata/metadata_store/rdbms_metadata_access_object.cc and the *IfNotExist wrappers in
// metadata_store.cc.
import { type Db, IN_JSON, jsonIds } from './database.js';
import { EVENT_TYPES, enumName, enumNumber } from './enums.js';
import { ARTIFACT, CONTEXT, EXECUTION } from './node-kinds.js';
import { nodeExists } from './node-read.js';
import { alreadyExists, invalidArgument, isUniqueViolation, notFound } from './status.js';
import type { WireEvent, WireEventStep } from './wire.js';

/** Inserts an event; `validated` skips the existence checks, as PutExecution does. */
export function createEvent(db: Db, event: WireEvent, now: number, validated = false): void {
  if (event.artifactId === undefined) throw invalidArgument('No artifact id is specified.');
  if (event.executionId === undefined) throw invalidArgument('No execution id is specified.');
  const type = event.type === undefined ? 0 : enumNumber(EVENT_TYPES, event.type, 'event type');
  if (type === 0) throw invalidArgument('No event type is specified.');
  if (!validated) {
    if (!nodeExists(db, ARTIFACT, event.artifactId)) {
      throw invalidArgument(`No artifact with the given id ${event.artifactId}`);
    }
    if (!nodeExists(db, EXECUTION, event.executionId)) {
      throw invalidArgument(`No execution with the given id ${event.executionId}`);
    }
  }
  let eventId: number;
  try {
    const result = db
      .prepare('INSERT INTO Event (artifact_id, execution_id, type, milliseconds_since_epoch) VALUES (?, ?, ?, ?)')
      .run(event.artifactId, event.executionId, type, event.millisecondsSinceEpoch ?? now);
    eventId = Number(result.lastInsertRowid);
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw alreadyExists(
        `Given event already exists: artifact ${event.artifactId}, execution ${event.executionId}, type ${EVENT_TYPES[type] ?? type}`,
      );
    }
    throw error;
  }
  const insertStep = db.prepare(
    'INSERT INTO EventPath (event_id, is_index_step, step_index, step_key) VALUES (?, ?, ?, ?)',
  );
  for (const step of event.path?.steps ?? []) {
    if (step.index !== undefined) insertStep.run(eventId, 1, step.index, null);
    else insertStep.run(eventId, 0, null, step.key ?? '');
  }
}

interface EventRow {
  id: number;
  artifact_id: number;
  execution_id: number;
  type: number;
  milliseconds_since_epoch: number | null;
}

export function readEvents(db: Db, by: 'artifact_id' | 'execution_id', ids: readonly number[]): WireEvent[] {
  const rows = db.prepare(`SELECT * FROM Event WHERE ${by} ${IN_JSON} ORDER BY id`).all(jsonIds(ids)) as EventRow[];
  if (rows.length === 0) return [];
  const steps = db
    .prepare(`SELECT * FROM EventPath WHERE event_id ${IN_JSON} ORDER BY rowid`)
    .all(jsonIds(rows.map((row) => row.id))) as {
    event_id: number;
    is_index_step: number;
    step_index: number | null;
    step_key: string | null;
  }[];
  const byEvent = new Map<number, WireEventStep[]>();
  for (const step of steps) {
    const list = byEvent.get(step.event_id) ?? [];
    list.push(step.is_index_step === 1 ? { index: step.step_index ?? 0 } : { key: step.step_key ?? '' });
    byEvent.set(step.event_id, list);
  }
  return rows.map((row) => {
    const event: WireEvent = {
      artifactId: row.artifact_id,
      executionId: row.execution_id,
      type: enumName(EVENT_TYPES, row.type),
    };
    if (row.milliseconds_since_epoch !== null) event.millisecondsSinceEpoch = row.milliseconds_since_epoch;
    const path = byEvent.get(row.id);
    if (path) event.path = { steps: path };
    return event;
  });
}

/** Artifact ∈ context; an existing link is not an error. */
export function attribute(
  db: Db,
  contextId: number | undefined,
  artifactId: number | undefined,
  validated = false,
): void {
  if (contextId === undefined) throw invalidArgument('No context id is specified.');
  if (artifactId === undefined) throw invalidArgument('No artifact id is specified');
  if (!validated) {
    if (!nodeExists(db, CONTEXT, contextId)) throw invalidArgument('Context id not found.');
    if (!nodeExists(db, ARTIFACT, artifactId)) throw invalidArgument('Artifact id not found.');
  }
  db.prepare('INSERT OR IGNORE INTO Attribution (context_id, artifact_id) VALUES (?, ?)').run(contextId, artifactId);
}

/** Execution ∈ context; an existing link is not an error. */
export function associate(
  db: Db,
  contextId: number | undefined,
  executionId: number | undefined,
  validated = false,
): void {
  if (contextId === undefined) throw invalidArgument('No context id is specified.');
  if (executionId === undefined) throw invalidArgument('No execution id is specified');
  if (!validated) {
    if (!nodeExists(db, CONTEXT, contextId)) throw invalidArgument('Context id not found.');
    if (!nodeExists(db, EXECUTION, executionId)) throw invalidArgument('Execution id not found.');
  }
  db.prepare('INSERT OR IGNORE INTO Association (context_id, execution_id) VALUES (?, ?)').run(contextId, executionId);
}

function parentIds(db: Db, childId: number): number[] {
  return (
    db.prepare('SELECT parent_context_id AS id FROM ParentContext WHERE context_id = ?').all(childId) as {
      id: number;
    }[]
  ).map((row) => row.id);
}

/** Adds child → parent; rejects unknown ids and cycles, and a repeat is ALREADY_EXISTS. */
export function addParentContext(db: Db, childId: number | undefined, parentId: number | undefined): void {
  if (childId === undefined || parentId === undefined) {
    throw invalidArgument('Missing parent / child id in the parent_context');
  }
  if (!nodeExists(db, CONTEXT, childId) || !nodeExists(db, CONTEXT, parentId)) {
    throw invalidArgument(
      `Given parent / child id in the parent_context cannot be found: child ${childId}, parent ${parentId}`,
    );
  }
  // CheckCyClicDependency: walk up from the new parent; meeting the child closes a cycle.
  const pending = [parentId];
  const seen = new Set<number>();
  while (pending.length > 0) {
    const id = pending.pop() as number;
    if (id === childId) throw invalidArgument('There is a cycle detected of the given relationship.');
    if (seen.has(id)) continue;
    seen.add(id);
    pending.push(...parentIds(db, id));
  }
  try {
    db.prepare('INSERT INTO ParentContext (context_id, parent_context_id) VALUES (?, ?)').run(childId, parentId);
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw alreadyExists(`Given parent_context already exists: child ${childId}, parent ${parentId}`);
    }
    throw error;
  }
}

export function parentContextIds(db: Db, childId: number): number[] {
  return parentIds(db, childId).sort((a, b) => a - b);
}

export function childContextIds(db: Db, parentId: number): number[] {
  return (
    db
      .prepare('SELECT context_id AS id FROM ParentContext WHERE parent_context_id = ? ORDER BY context_id')
      .all(parentId) as { id: number }[]
  ).map((row) => row.id);
}

/** Contexts of an artifact or execution; none at all is NOT_FOUND (FindContextsByArtifact). */
export function contextIdsOf(db: Db, node: 'artifact' | 'execution', id: number): number[] {
  const table = node === 'artifact' ? 'Attribution' : 'Association';
  const column = node === 'artifact' ? 'artifact_id' : 'execution_id';
  const ids = (
    db.prepare(`SELECT context_id AS id FROM ${table} WHERE ${column} = ? ORDER BY context_id`).all(id) as {
      id: number;
    }[]
  ).map((row) => row.id);
  if (ids.length === 0) throw notFound(`No contexts found for ${column}: ${id}`);
  return ids;
}

/** Ids of artifacts attributed to / executions associated with a context. */
export function memberIdsOf(db: Db, node: 'artifact' | 'execution', contextId: number): number[] {
  const table = node === 'artifact' ? 'Attribution' : 'Association';
  const column = node === 'artifact' ? 'artifact_id' : 'execution_id';
  return (
    db.prepare(`SELECT ${column} AS id FROM ${table} WHERE context_id = ? ORDER BY ${column}`).all(contextId) as {
      id: number;
    }[]
  ).map((row) => row.id);
}
