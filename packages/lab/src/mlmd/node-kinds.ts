// The three MLMD node kinds share storage shape; this table names each one's tables and columns.
import { ARTIFACT_STATES, EXECUTION_STATES } from './enums.js';
import { TYPE_KIND } from './database.js';

export interface NodeKind {
  readonly label: 'artifact' | 'execution' | 'context';
  readonly table: 'Artifact' | 'Execution' | 'Context';
  readonly propertyTable: 'ArtifactProperty' | 'ExecutionProperty' | 'ContextProperty';
  /** Column naming the node in its property table and in Event/Attribution/Association. */
  readonly idColumn: 'artifact_id' | 'execution_id' | 'context_id';
  readonly typeKind: number;
  /** The state column and its enum, for artifacts (`state`) and executions (`last_known_state`). */
  readonly state?: { readonly column: 'state' | 'last_known_state'; readonly values: readonly string[] };
}

export const ARTIFACT: NodeKind = {
  label: 'artifact',
  table: 'Artifact',
  propertyTable: 'ArtifactProperty',
  idColumn: 'artifact_id',
  typeKind: TYPE_KIND.artifact,
  state: { column: 'state', values: ARTIFACT_STATES },
};

export const EXECUTION: NodeKind = {
  label: 'execution',
  table: 'Execution',
  propertyTable: 'ExecutionProperty',
  idColumn: 'execution_id',
  typeKind: TYPE_KIND.execution,
  state: { column: 'last_known_state', values: EXECUTION_STATES },
};

export const CONTEXT: NodeKind = {
  label: 'context',
  table: 'Context',
  propertyTable: 'ContextProperty',
  idColumn: 'context_id',
  typeKind: TYPE_KIND.context,
};
