// Built-in rules as default policies (issue 12, item 8): a rule the tool has always enforced is a
// policy a file can see (`split-pipelines policy list`, every plan's results) and, where the
// built-in allows it, relax under `spec.defaultPolicies`. A built-in is evaluated like any policy
// (CEL, once per item of its scope), with its reason as its description and in its message.
//
// Not every refusal is a default policy: a secret written in the file stays a `validate` error,
// because a value pushed to Git is leaked whatever a policy says.
import type { Enforcement, PolicySpec } from './types.js';

/** What of the file decides whether a built-in is evaluated (structural: this folder does not read files). */
export interface BuiltInFileView {
  parametersFromEnv?: Record<string, string>;
}

export interface BuiltInPolicy {
  name: string;
  /** Why the rule exists: shown by `policy list` and in every failure's message. */
  reason: string;
  /** The enforcement unless the file relaxes it. */
  enforcement: Enforcement;
  /** Enforcements a file may give it under `spec.defaultPolicies` (besides its default). */
  relaxTo: Enforcement[];
  /** The file uses what the rule guards, in words: the built-in is evaluated only then (or when the file sets it). */
  appliesWhen: string;
  applies: (file: BuiltInFileView) => boolean;
  spec: Omit<PolicySpec, 'enforcement' | 'owners' | 'reason'>;
}

/** KFP stores a run's runtime parameters in its database and shows them on the run's page and through its API. */
const SECRET_PARAMETERS_REASON =
  "KFP stores every run's parameters in clear text (its database, the run's page, GET /runs) at each location that runs a stage, " +
  'so a secret given as a parameter is readable by anyone who can read runs there; prefer a Kubernetes secret ' +
  "(kfp-kubernetes use_secret_as_env). A pipeline that takes its secret as a parameter (KFP's upload_download test " +
  'pipeline) can be run only if the file relaxes this policy to soft and an owner overrides it, which is recorded';

export const BUILT_IN_POLICIES: readonly BuiltInPolicy[] = [
  {
    name: 'secret-parameters',
    reason: SECRET_PARAMETERS_REASON,
    enforcement: 'hard',
    relaxTo: ['soft'],
    appliesWhen: 'the file gives a parameter from the environment (spec.pipeline.parametersFromEnv)',
    applies: (file) => Object.keys(file.parametersFromEnv ?? {}).length > 0,
    spec: {
      name: 'secret-parameters',
      description: 'Built-in: no pipeline parameter whose name looks like a secret is given a value.',
      scope: 'plan',
      validations: [
        {
          expression: 'plan.parameters.all(p, !p.secret)',
          message: `a parameter whose name looks like a secret is given a value (see plan.parameters): ${SECRET_PARAMETERS_REASON}`,
        },
      ],
    },
  },
];

export function builtInPolicy(name: string): BuiltInPolicy | undefined {
  return BUILT_IN_POLICIES.find((p) => p.name === name);
}

/** How the file sets a built-in (`spec.defaultPolicies.NAME`). */
export interface DefaultPolicySettingView {
  enforcement: Enforcement;
  owners?: string[];
}

/** A setting the built-in does not allow (e.g. advisory for `secret-parameters`), in words; undefined when allowed. */
export function settingProblem(builtIn: BuiltInPolicy, setting: DefaultPolicySettingView): string | undefined {
  const allowed = [builtIn.enforcement, ...builtIn.relaxTo];
  if (!allowed.includes(setting.enforcement))
    return `the built-in policy ${builtIn.name} may be ${allowed.join(' or ')}, not ${setting.enforcement}`;
  if (setting.enforcement === 'soft' && (setting.owners ?? []).length === 0)
    return `relaxing ${builtIn.name} to soft needs owners (GitHub users or org/team) who may override it`;
  return undefined;
}

/** The built-in as evaluated for a file: its default enforcement, or the file's setting. */
export function effectiveBuiltIn(builtIn: BuiltInPolicy, setting: DefaultPolicySettingView | undefined): PolicySpec {
  const spec: PolicySpec = {
    ...builtIn.spec,
    validations: builtIn.spec.validations.map((v) => ({ ...v })),
    enforcement: setting?.enforcement ?? builtIn.enforcement,
    reason: builtIn.reason,
  };
  if (setting?.owners) spec.owners = [...setting.owners];
  return spec;
}
