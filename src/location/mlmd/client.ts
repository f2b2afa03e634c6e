// The product's ML Metadata client: typed, promise-based calls of ml_metadata.MetadataStoreService
// (MLMD 1.14.0, as deployed by KFP 2.x) over @grpc/grpc-js.
//
// Retries: reads always retry UNAVAILABLE/DEADLINE_EXCEEDED. A write retries only when repeating
// it cannot create a duplicate: type puts (keyed by name+version), link puts (idempotent or
// unique), and node puts whose every insert is guarded by a unique key (external_id or name) or is
// an update by id. A retried guarded insert that had in fact landed comes back as ALREADY_EXISTS
// with `afterRetry` set.
//
// Not-found conventions of the real server are smoothed where the product only wants "nothing":
// Get*ByExternalIds and GetContextsBy{Artifact,Execution} answer NOT_FOUND when nothing matches
// (rdbms_metadata_access_object.cc), which this client returns as []; Get*Type answers NOT_FOUND
// for a missing type, returned as undefined.
import { guarded, maskOf, readItems, readOne, readPage } from './calls.js';
import { type CallOptions, MlmdChannel, type MlmdChannelOptions } from './channel.js';
import type {
  Artifact,
  ArtifactType,
  Association,
  Attribution,
  Context,
  ContextType,
  Event,
  Execution,
  ExecutionType,
  ListOptions,
  Page,
  ParentContext,
  PutExecutionRequest,
  PutExecutionResult,
  TypeFieldChecks,
} from './messages.js';

export type MlmdClientOptions = MlmdChannelOptions;

export type ByTypeListOptions = ListOptions & { typeVersion?: string };

export class MlmdClient {
  private readonly channel: MlmdChannel;

  constructor(options: MlmdClientOptions) {
    this.channel = new MlmdChannel(options);
  }

  get location(): string {
    return this.channel.location;
  }

  close(): void {
    this.channel.close();
  }

  private write<T>(method: string, request: object, retryable: boolean, options?: CallOptions): Promise<T> {
    return this.channel.call<T>(method, request, retryable, options);
  }

  // ---- types ------------------------------------------------------------------------------

  async putArtifactType(type: ArtifactType, checks: TypeFieldChecks = {}, options?: CallOptions): Promise<number> {
    const request = { artifactType: type, ...checks };
    return (await this.write<{ typeId: number }>('PutArtifactType', request, true, options)).typeId;
  }

  async putExecutionType(type: ExecutionType, checks: TypeFieldChecks = {}, options?: CallOptions): Promise<number> {
    const request = { executionType: type, ...checks };
    return (await this.write<{ typeId: number }>('PutExecutionType', request, true, options)).typeId;
  }

  async putContextType(type: ContextType, checks: TypeFieldChecks = {}, options?: CallOptions): Promise<number> {
    const request = { contextType: type, ...checks };
    return (await this.write<{ typeId: number }>('PutContextType', request, true, options)).typeId;
  }

  putTypes(
    types: { artifactTypes?: ArtifactType[]; executionTypes?: ExecutionType[]; contextTypes?: ContextType[] },
    checks: TypeFieldChecks = {},
    options?: CallOptions,
  ): Promise<{ artifactTypeIds: number[]; executionTypeIds: number[]; contextTypeIds: number[] }> {
    return this.write('PutTypes', { ...types, ...checks }, true, options);
  }

  getArtifactType(name: string, version?: string, options?: CallOptions): Promise<ArtifactType | undefined> {
    return readOne(
      this.channel,
      'GetArtifactType',
      { typeName: name, typeVersion: version },
      'artifactType',
      options,
      true,
    );
  }

  getExecutionType(name: string, version?: string, options?: CallOptions): Promise<ExecutionType | undefined> {
    return readOne(
      this.channel,
      'GetExecutionType',
      { typeName: name, typeVersion: version },
      'executionType',
      options,
      true,
    );
  }

  getContextType(name: string, version?: string, options?: CallOptions): Promise<ContextType | undefined> {
    return readOne(
      this.channel,
      'GetContextType',
      { typeName: name, typeVersion: version },
      'contextType',
      options,
      true,
    );
  }

  getArtifactTypes(options?: CallOptions): Promise<ArtifactType[]> {
    return readItems(this.channel, 'GetArtifactTypes', {}, 'artifactTypes', options);
  }

  getExecutionTypes(options?: CallOptions): Promise<ExecutionType[]> {
    return readItems(this.channel, 'GetExecutionTypes', {}, 'executionTypes', options);
  }

  getContextTypes(options?: CallOptions): Promise<ContextType[]> {
    return readItems(this.channel, 'GetContextTypes', {}, 'contextTypes', options);
  }

  getArtifactTypesByID(typeIds: number[], options?: CallOptions): Promise<ArtifactType[]> {
    return readItems(this.channel, 'GetArtifactTypesByID', { typeIds }, 'artifactTypes', options);
  }

  getExecutionTypesByID(typeIds: number[], options?: CallOptions): Promise<ExecutionType[]> {
    return readItems(this.channel, 'GetExecutionTypesByID', { typeIds }, 'executionTypes', options);
  }

  getContextTypesByID(typeIds: number[], options?: CallOptions): Promise<ContextType[]> {
    return readItems(this.channel, 'GetContextTypesByID', { typeIds }, 'contextTypes', options);
  }

  getArtifactTypesByExternalIds(externalIds: string[], options?: CallOptions): Promise<ArtifactType[]> {
    return readItems(this.channel, 'GetArtifactTypesByExternalIds', { externalIds }, 'artifactTypes', options, true);
  }

  getExecutionTypesByExternalIds(externalIds: string[], options?: CallOptions): Promise<ExecutionType[]> {
    return readItems(this.channel, 'GetExecutionTypesByExternalIds', { externalIds }, 'executionTypes', options, true);
  }

  getContextTypesByExternalIds(externalIds: string[], options?: CallOptions): Promise<ContextType[]> {
    return readItems(this.channel, 'GetContextTypesByExternalIds', { externalIds }, 'contextTypes', options, true);
  }

  // ---- node and edge writes ---------------------------------------------------------------

  async putArtifacts(
    artifacts: Artifact[],
    write: { updateMask?: string[]; abortIfLatestUpdatedTimeChanged?: boolean } = {},
    options?: CallOptions,
  ): Promise<number[]> {
    const request = {
      artifacts,
      ...maskOf(write.updateMask),
      ...(write.abortIfLatestUpdatedTimeChanged ? { options: { abortIfLatestUpdatedTimeChanged: true } } : {}),
    };
    const retryable = artifacts.every(guarded);
    return (await this.write<{ artifactIds: number[] }>('PutArtifacts', request, retryable, options)).artifactIds;
  }

  async putExecutions(
    executions: Execution[],
    write: { updateMask?: string[] } = {},
    options?: CallOptions,
  ): Promise<number[]> {
    const request = { executions, ...maskOf(write.updateMask) };
    const retryable = executions.every(guarded);
    return (await this.write<{ executionIds: number[] }>('PutExecutions', request, retryable, options)).executionIds;
  }

  async putContexts(
    contexts: Context[],
    write: { updateMask?: string[] } = {},
    options?: CallOptions,
  ): Promise<number[]> {
    const request = { contexts, ...maskOf(write.updateMask) };
    const retryable = contexts.every(guarded);
    return (await this.write<{ contextIds: number[] }>('PutContexts', request, retryable, options)).contextIds;
  }

  /** Events are unique per (artifact, execution, type), so a retry cannot duplicate one. */
  async putEvents(events: Event[], options?: CallOptions): Promise<void> {
    await this.write('PutEvents', { events }, true, options);
  }

  /** One transaction: the execution, artifacts + events, contexts, and their links. */
  async putExecution(request: PutExecutionRequest, options?: CallOptions): Promise<PutExecutionResult> {
    const retryable =
      guarded(request.execution) &&
      (request.artifactEventPairs ?? []).every((pair) => !pair.artifact || guarded(pair.artifact)) &&
      (request.contexts ?? []).every(guarded);
    const result = await this.write<Partial<PutExecutionResult>>('PutExecution', request, retryable, options);
    return {
      executionId: result.executionId ?? 0,
      artifactIds: result.artifactIds ?? [],
      contextIds: result.contextIds ?? [],
    };
  }

  /** Existing links are left as they are (MLMD: "If the relationship exists, this call does nothing"). */
  async putAttributionsAndAssociations(
    attributions: Attribution[],
    associations: Association[],
    options?: CallOptions,
  ): Promise<void> {
    await this.write('PutAttributionsAndAssociations', { attributions, associations }, true, options);
  }

  /** A repeated link is ALREADY_EXISTS; a link closing a cycle is INVALID_ARGUMENT. */
  async putParentContexts(parentContexts: ParentContext[], options?: CallOptions): Promise<void> {
    await this.write('PutParentContexts', { parentContexts }, true, options);
  }

  // ---- node reads -------------------------------------------------------------------------

  /** Missing ids are skipped: the result is not index-aligned with `ids`. */
  getArtifactsByID(ids: number[], options?: CallOptions): Promise<Artifact[]> {
    return readItems(this.channel, 'GetArtifactsByID', { artifactIds: ids }, 'artifacts', options);
  }

  getExecutionsByID(ids: number[], options?: CallOptions): Promise<Execution[]> {
    return readItems(this.channel, 'GetExecutionsByID', { executionIds: ids }, 'executions', options);
  }

  getContextsByID(ids: number[], options?: CallOptions): Promise<Context[]> {
    return readItems(this.channel, 'GetContextsByID', { contextIds: ids }, 'contexts', options);
  }

  getArtifactsByExternalIds(externalIds: string[], options?: CallOptions): Promise<Artifact[]> {
    return readItems(this.channel, 'GetArtifactsByExternalIds', { externalIds }, 'artifacts', options, true);
  }

  getExecutionsByExternalIds(externalIds: string[], options?: CallOptions): Promise<Execution[]> {
    return readItems(this.channel, 'GetExecutionsByExternalIds', { externalIds }, 'executions', options, true);
  }

  getContextsByExternalIds(externalIds: string[], options?: CallOptions): Promise<Context[]> {
    return readItems(this.channel, 'GetContextsByExternalIds', { externalIds }, 'contexts', options, true);
  }

  getArtifactByTypeAndName(
    type: string,
    name: string,
    version?: string,
    options?: CallOptions,
  ): Promise<Artifact | undefined> {
    const request = { typeName: type, artifactName: name, typeVersion: version };
    return readOne<Artifact>(this.channel, 'GetArtifactByTypeAndName', request, 'artifact', options);
  }

  getExecutionByTypeAndName(
    type: string,
    name: string,
    version?: string,
    options?: CallOptions,
  ): Promise<Execution | undefined> {
    const request = { typeName: type, executionName: name, typeVersion: version };
    return readOne<Execution>(this.channel, 'GetExecutionByTypeAndName', request, 'execution', options);
  }

  /** Undefined when the context or its type is missing (MLMD answers OK and empty). */
  getContextByTypeAndName(
    type: string,
    name: string,
    version?: string,
    options?: CallOptions,
  ): Promise<Context | undefined> {
    const request = { typeName: type, contextName: name, typeVersion: version };
    return readOne<Context>(this.channel, 'GetContextByTypeAndName', request, 'context', options);
  }

  getArtifactsByURI(uris: string[], options?: CallOptions): Promise<Artifact[]> {
    return readItems(this.channel, 'GetArtifactsByURI', { uris }, 'artifacts', options);
  }

  // ---- paged lists ------------------------------------------------------------------------

  getArtifacts(list?: ListOptions, options?: CallOptions): Promise<Page<Artifact>> {
    return readPage(this.channel, 'GetArtifacts', {}, 'artifacts', list, options);
  }

  getExecutions(list?: ListOptions, options?: CallOptions): Promise<Page<Execution>> {
    return readPage(this.channel, 'GetExecutions', {}, 'executions', list, options);
  }

  getContexts(list?: ListOptions, options?: CallOptions): Promise<Page<Context>> {
    return readPage(this.channel, 'GetContexts', {}, 'contexts', list, options);
  }

  getArtifactsByType(typeName: string, list?: ByTypeListOptions, options?: CallOptions): Promise<Page<Artifact>> {
    const request = { typeName, typeVersion: list?.typeVersion };
    return readPage(this.channel, 'GetArtifactsByType', request, 'artifacts', list, options);
  }

  getExecutionsByType(typeName: string, list?: ByTypeListOptions, options?: CallOptions): Promise<Page<Execution>> {
    const request = { typeName, typeVersion: list?.typeVersion };
    return readPage(this.channel, 'GetExecutionsByType', request, 'executions', list, options);
  }

  getContextsByType(typeName: string, list?: ByTypeListOptions, options?: CallOptions): Promise<Page<Context>> {
    const request = { typeName, typeVersion: list?.typeVersion };
    return readPage(this.channel, 'GetContextsByType', request, 'contexts', list, options);
  }

  getArtifactsByContext(contextId: number, list?: ListOptions, options?: CallOptions): Promise<Page<Artifact>> {
    return readPage(this.channel, 'GetArtifactsByContext', { contextId }, 'artifacts', list, options);
  }

  getExecutionsByContext(contextId: number, list?: ListOptions, options?: CallOptions): Promise<Page<Execution>> {
    return readPage(this.channel, 'GetExecutionsByContext', { contextId }, 'executions', list, options);
  }

  // ---- neighbours -------------------------------------------------------------------------

  getContextsByArtifact(artifactId: number, options?: CallOptions): Promise<Context[]> {
    return readItems(this.channel, 'GetContextsByArtifact', { artifactId }, 'contexts', options, true);
  }

  getContextsByExecution(executionId: number, options?: CallOptions): Promise<Context[]> {
    return readItems(this.channel, 'GetContextsByExecution', { executionId }, 'contexts', options, true);
  }

  getParentContextsByContext(contextId: number, options?: CallOptions): Promise<Context[]> {
    return readItems(this.channel, 'GetParentContextsByContext', { contextId }, 'contexts', options);
  }

  getChildrenContextsByContext(contextId: number, options?: CallOptions): Promise<Context[]> {
    return readItems(this.channel, 'GetChildrenContextsByContext', { contextId }, 'contexts', options);
  }

  getEventsByExecutionIDs(executionIds: number[], options?: CallOptions): Promise<Event[]> {
    return readItems(this.channel, 'GetEventsByExecutionIDs', { executionIds }, 'events', options);
  }

  getEventsByArtifactIDs(artifactIds: number[], options?: CallOptions): Promise<Event[]> {
    return readItems(this.channel, 'GetEventsByArtifactIDs', { artifactIds }, 'events', options);
  }
}
