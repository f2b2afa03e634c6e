// Output provisioning (`provisionOutputs` in `backend/src/v2/driver/driver.go`): every declared
// output artifact, plus `executor-logs` when logs are published, gets a URI
// `<run root>/<task>/<random uuid>/<output>`. From KFP 2.17.0 the launcher appends the retry index
// to the logs' URI (`qualifyExecutorLogsURI` in `backend/src/v2/component/launcher_v2.go`).
import { randomUUID } from 'node:crypto';
import { posix } from 'node:path';
import { parseKfpVersion } from '../../../../src/pipeline/fingerprint/index.js';
import type { TaskNode } from '../../../../src/pipeline/graph.js';
import type { IrArtifactType, JsonObject } from '../../../../src/pipeline/ir.js';
import { EXECUTOR_LOGS } from './behaviour.js';

export interface ProvisionedOutput {
  /** The output name, also the OUTPUT event's path key. */
  name: string;
  uri: string;
  schemaTitle: string;
  metadata?: JsonObject;
}

/** `GenerateOutputURI`: the root without its query (unless kept), then the joined paths. */
export function generateOutputUri(root: string, paths: string[], preserveQuery: boolean): string {
  const [base = '', query] = root.split('?');
  const tail = query !== undefined && preserveQuery ? `?${query}` : '';
  return `${base.replace(/\/+$/, '')}/${posix.join(...paths)}${tail}`;
}

/** The MLMD type name of an artifact type: its schema title (`SchemaToArtifactType`, metadata/client.go). */
export function schemaTitleOf(type: IrArtifactType | undefined): string {
  if (type?.schemaTitle) return type.schemaTitle;
  const title = /^\s*title:\s*(\S+)/m.exec(type?.instanceSchema ?? '')?.[1];
  return title ?? 'system.Artifact';
}

function logsRetrySuffix(kfpVersion: string): boolean {
  const v = parseKfpVersion(kfpVersion);
  return v === undefined || v.major > 2 || (v.major === 2 && v.minor >= 17);
}

export function provisionOutputs(
  runRoot: string,
  node: TaskNode,
  publishLogs: boolean,
  kfpVersion: string,
): ProvisionedOutput[] {
  const taskRoot = generateOutputUri(runRoot, [node.key, randomUUID()], false);
  const specs = { ...(node.component.outputDefinitions?.artifacts ?? {}) };
  const out: ProvisionedOutput[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    if (publishLogs && name === EXECUTOR_LOGS) continue;
    const o: ProvisionedOutput = {
      name,
      uri: generateOutputUri(taskRoot, [name], false),
      schemaTitle: schemaTitleOf(spec.artifactType),
    };
    const metadata = (spec as { metadata?: JsonObject }).metadata;
    if (metadata) o.metadata = metadata;
    out.push(o);
  }
  if (publishLogs) {
    const suffix = logsRetrySuffix(kfpVersion) ? '-0' : '';
    out.push({
      name: EXECUTOR_LOGS,
      uri: `${generateOutputUri(taskRoot, [EXECUTOR_LOGS], false)}${suffix}`,
      schemaTitle: 'system.Artifact',
    });
  }
  return out;
}
