// Checks between the locations and the stages of a spec that a JSON Schema cannot express: names
// declared once, every declared location used, every used location declared, each step placed
// once, no empty stage. Works on the parsed data whether or not the schema accepted it, reading
// defensively, so these problems are reported together with the schema's.
//
// Whether the steps exist in the pipeline, and their order, is checked against the compiled
// pipeline by check-stages.ts.

import { didYouMean } from './did-you-mean.js';
import { finding, formatPath, isRecord, type Finding } from './path.js';

export function checkLocations(data: unknown): Finding[] {
  const body = isRecord(data) && isRecord(data['spec']) ? data['spec'] : undefined;
  if (body === undefined) return [];
  const findings: Finding[] = [];
  const locations = Array.isArray(body['locations']) ? body['locations'] : undefined;
  const stages = Array.isArray(body['stages']) ? body['stages'] : undefined;

  const declared = new Map<string, number>();
  locations?.forEach((location, i) => {
    const name = isRecord(location) ? location['name'] : undefined;
    if (typeof name !== 'string') return;
    const first = declared.get(name);
    if (first === undefined) declared.set(name, i);
    else {
      findings.push(
        finding(
          ['spec', 'locations', i, 'name'],
          `location "${name}" is already declared by ${formatPath(['spec', 'locations', first])}; declare each location once`,
        ),
      );
    }
    findings.push(...checkKubernetes(location, i));
    findings.push(...checkUi(location, i));
  });

  const used = new Set<string>();
  const placed = new Map<string, { stage: number; index: number }>();
  const stageNames = new Map<string, number>();
  stages?.forEach((stage, s) => {
    if (!isRecord(stage)) return;
    const location = stage['location'];
    if (typeof location === 'string') {
      used.add(location);
      if (locations !== undefined && !declared.has(location)) {
        const hint = didYouMean(location, declared.keys());
        const known =
          hint === '' && declared.size > 0 ? `; declared locations: ${[...declared.keys()].join(', ')}` : '';
        findings.push(
          finding(
            ['spec', 'stages', s, 'location'],
            `location "${location}" is not declared in spec.locations${hint}${known}`,
          ),
        );
      }
    }
    const name = stage['name'];
    if (typeof name === 'string') {
      const first = stageNames.get(name);
      if (first !== undefined) {
        findings.push(
          finding(
            ['spec', 'stages', s, 'name'],
            `stage name "${name}" is already used by ${formatPath(['spec', 'stages', first])}; stage names must be unique`,
          ),
        );
      } else stageNames.set(name, s);
      if (/^[0-9]+$/.test(name) && Number(name) !== s + 1) {
        findings.push(
          finding(
            ['spec', 'stages', s, 'name'],
            `stage name "${name}" is a number other than the stage's position (${s + 1}); "--through ${name}" would be ambiguous`,
          ),
        );
      }
    }
    const steps = stage['steps'];
    if (!Array.isArray(steps)) return;
    if (steps.length === 0) {
      findings.push(
        finding(
          ['spec', 'stages', s, 'steps'],
          `stage ${s + 1} lists no steps; every stage runs at least one step (remove the stage or move steps into it)`,
          { on: 'key' },
        ),
      );
    }
    steps.forEach((step, index) => {
      if (typeof step !== 'string') return;
      const first = placed.get(step);
      if (first === undefined) {
        placed.set(step, { stage: s, index });
        return;
      }
      const where = formatPath(['spec', 'stages', first.stage, 'steps', first.index]);
      const message =
        first.stage === s
          ? `step "${step}" is listed twice in this stage (first at ${where})`
          : `step "${step}" is already placed in stage ${first.stage + 1} (${where}); a step runs in exactly one stage`;
      findings.push(finding(['spec', 'stages', s, 'steps', index], message));
    });
  });

  // With no stages at all the schema already says so; "unused" would only repeat it.
  if (stages !== undefined && stages.length > 0) {
    for (const [name, i] of declared) {
      if (!used.has(name)) {
        findings.push(
          finding(
            ['spec', 'locations', i, 'name'],
            `location "${name}" is not used by any stage; remove it or place steps there`,
          ),
        );
      }
    }
  }
  return findings;
}

/** `inCluster: true` takes credentials from the pod; a kubeconfig or context beside it would be ignored. */
function checkKubernetes(location: unknown, i: number): Finding[] {
  const kube = isRecord(location) ? location['kubernetes'] : undefined;
  if (!isRecord(kube) || kube['inCluster'] !== true) return [];
  const conflicting = ['kubeconfig', 'context'].filter((k) => kube[k] !== undefined);
  if (conflicting.length === 0) return [];
  return [
    finding(
      ['spec', 'locations', i, 'kubernetes', 'inCluster'],
      `inCluster: true cannot be combined with ${conflicting.join(' or ')}; use the pod's service account or a kubeconfig, not both`,
    ),
  ];
}

/**
 * `kfp.ui` is printed in pull-request comments: a user name before "@" would be published with it.
 * (A "user:password@" part is already refused as a secret by secrets.ts.)
 */
function checkUi(location: unknown, i: number): Finding[] {
  const kfp = isRecord(location) ? location['kfp'] : undefined;
  const ui = isRecord(kfp) ? kfp['ui'] : undefined;
  if (typeof ui !== 'string') return [];
  const userinfo = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#\s]*)@/.exec(ui)?.[1];
  if (userinfo === undefined || userinfo.includes(':')) return [];
  return [
    finding(
      ['spec', 'locations', i, 'kfp', 'ui'],
      'the KFP UI URL names a user before "@" (not shown here); it is published in status and pull-request comments, ' +
        'so write the URL people open in a browser, without credentials',
    ),
  ];
}
