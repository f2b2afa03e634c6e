// Names of what the reconciler creates at a location, derived from the split pipeline's name and
// revision: observation finds them again by name, so an unchanged revision is recognised as done
// and a changed one is new. KFP display names allow any text; these stay readable in the UI.

export function stageRunName(splitPipeline: string, revision: string, stage: number): string {
  return `${splitPipeline}-${revision}-stage-${stage}`;
}

export function markerRunName(splitPipeline: string, revision: string, stage: number, from: string): string {
  return `${splitPipeline}-${revision}-handoff-${stage}-from-${from}`;
}

export function pipelineVersionName(splitPipeline: string, revision: string): string {
  return `${splitPipeline}-${revision}`;
}

/** Common prefix of every run of a revision (for one list call per location). */
export function revisionRunPrefix(splitPipeline: string, revision: string): string {
  return `${splitPipeline}-${revision}-`;
}

export type ParsedRunName = { kind: 'stage'; stage: number } | { kind: 'handoff'; stage: number; from: string };

export function parseRunName(splitPipeline: string, revision: string, displayName: string): ParsedRunName | undefined {
  const prefix = revisionRunPrefix(splitPipeline, revision);
  if (!displayName.startsWith(prefix)) return undefined;
  const rest = displayName.slice(prefix.length);
  let m = /^stage-(\d+)$/.exec(rest);
  if (m) return { kind: 'stage', stage: Number(m[1]) };
  m = /^handoff-(\d+)-from-([a-z0-9-]+)$/.exec(rest);
  if (m) return { kind: 'handoff', stage: Number(m[1]), from: m[2]! };
  return undefined;
}
