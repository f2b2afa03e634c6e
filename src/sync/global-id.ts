// Global ids: MLMD's integer ids are local to one database, so the same execution has different ids
// at every location (the thesis's id-collision problem). Every entity a handoff imports carries a
// global id in MLMD's `external_id` (UNIQUE since MLMD 1.11): a second import finds it instead of
// duplicating it, and the id names the entity's origin, so it travels unchanged along A→B→C.

import { mlmdGlobalId } from '../observe/mlmd-run-record.js';

export type EntityKind = 'artifact' | 'execution';

export interface GlobalIdParts {
  origin: string;
  kind: EntityKind;
  id: number;
}

/** The global id of an entity: its own `external_id` when a handoff gave it one, else its origin here. */
export const globalIdOf = mlmdGlobalId;

export function parseGlobalId(gid: string): GlobalIdParts | undefined {
  const m = /^split-pipelines\/v1\/([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\/(artifact|execution)\/(\d+)$/.exec(gid);
  if (!m) return undefined;
  return { origin: m[1]!, kind: m[2] as EntityKind, id: Number(m[3]) };
}
