// Literal secrets are refused: a split-pipeline.yaml lives in Git and is shown in pull requests, so a
// token written into it is leaked the moment it is pushed. Secrets are named instead — an
// environment variable (`…Env`) or a file (`…File`) — and read when a location is contacted.
//
// No message here repeats the value it complains about (not even partly): diagnostics end up in CI
// logs and pull-request comments.

import { UserError } from '../errors/user-error.js';
import type { JsonValue } from '../pipeline/ir.js';
import { formatPath, isRecord, type Finding, type SpecPath } from './path.js';

/** Words that, ending a key, say the value is a credential (`apiKey`, `db_password`, `hf-token`). */
const SECRET_NOUNS = new Set([
  'token',
  'password',
  'passwd',
  'pwd',
  'secret',
  'bearer',
  'credential',
  'credentials',
  'apikey',
  'accesskey',
  'accesskeyid',
  'secretkey',
  'privatekey',
  'clientsecret',
  'sessiontoken',
  'passphrase',
]);

/** Endings of several words that mean the same (`api_key`, `secretAccessKey`, `accessKeyId`). */
const SECRET_ENDINGS = [
  ['api', 'key'],
  ['access', 'key'],
  ['access', 'key', 'id'],
  ['secret', 'key'],
  ['private', 'key'],
];

/**
 * Values that are credentials whatever the key is called. Each pattern is matched against whole
 * words (runs of `[A-Za-z0-9_.-]`), anchored: unanchored, `eyJ-eyJ-eyJ-…` made the search quadratic
 * in the length of the value, and values come from untrusted files.
 */
const SECRET_WORD_PATTERNS: { what: string; pattern: RegExp }[] = [
  { what: 'a JSON Web Token', pattern: /^eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+\.?$/ },
  { what: 'an AWS access key id', pattern: /^(AKIA|ASIA)[0-9A-Z]{16}\.?$/ },
  { what: 'a GitHub token', pattern: /^(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})\.?$/ },
  { what: 'a Slack token', pattern: /^xox[abprs]-[A-Za-z0-9-]{10,}\.?$/ },
];
const WORD_SEPARATORS = /[^A-Za-z0-9_.-]+/;

/** What kind of credential the value is, judging by its shape, if it is one. */
export function credentialShape(text: string): string | undefined {
  if (/^\s*bearer\s+\S{8,}/i.test(text)) return 'a bearer token';
  if (text.includes('PRIVATE KEY-----') && /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) return 'a private key';
  for (const word of text.split(WORD_SEPARATORS)) {
    for (const { what, pattern } of SECRET_WORD_PATTERNS) if (pattern.test(word)) return what;
  }
  return undefined;
}

/** `scheme://userinfo@host`: userinfo is everything up to the last `@` before the path. */
const URL_USERINFO = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#\s]*)@/;

/** Splits `secretAccessKey`, `api_key`, `hf-token`, `HTTP_PASSWORD` into lower-case words. */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => w.toLowerCase());
}

/** True when a key names a credential, e.g. `password`, `apiKey`, but not `tokenEnv` or `maxTokens`. */
export function isSecretKey(key: string): boolean {
  const words = keyWords(key);
  const last = words[words.length - 1];
  if (last === undefined) return false;
  if (SECRET_NOUNS.has(last) || SECRET_NOUNS.has(words.join(''))) return true;
  return SECRET_ENDINGS.some((ending) => ending.every((w, i) => words[words.length - ending.length + i] === w));
}

/** Where the file offers a reference for the secret, name it; otherwise suggest the convention. */
function remedy(path: SpecPath, key: string): string {
  const parent = path.slice(0, -1).map(String);
  const within = (suffix: string[]): boolean => suffix.every((s, i) => parent[parent.length - suffix.length + i] === s);
  if (parent[0] === 'spec' && parent[1] === 'pipeline' && parent[2] === 'parameters') {
    return (
      'pipeline parameters are stored in clear text in every KFP run; ' +
      'give the step the secret through a Kubernetes secret instead (kfp-kubernetes use_secret_as_env), ' +
      'or, when the pipeline takes it as a parameter, name the environment variable that holds it under ' +
      `spec.pipeline.parametersFromEnv (${String(key)}: ENV_VAR) and relax the built-in policy secret-parameters ` +
      '(see the README, "Secret parameters")'
    );
  }
  if (within(['kfp', 'auth']) || within(['kfp'])) {
    return 'name the environment variable that holds it with auth.tokenEnv (or a file with auth.tokenFile)';
  }
  if (within(['objectStore'])) {
    const words = keyWords(key);
    const env = words.includes('session')
      ? 'sessionTokenEnv'
      : words.includes('id') || (words.includes('access') && !words.includes('secret'))
        ? 'accessKeyIdEnv'
        : 'secretAccessKeyEnv';
    return `name the environment variable that holds it with "${env}"`;
  }
  return `name an environment variable that holds it with "${key}Env" (or a file with "${key}File")`;
}

/**
 * Every literal secret in the document: secret-named keys with a literal value, values that are
 * credentials by their shape, and credentials embedded in URLs. Works on any parsed data, valid or not.
 */
export function findLiteralSecrets(data: unknown): Finding[] {
  const findings: Finding[] = [];
  // Iterative walk: the data comes from untrusted YAML (depth is bounded there, but be safe anyway).
  const stack: { path: SpecPath; value: unknown }[] = [{ path: [], value: data }];
  // A value shared through a YAML alias is reported once, and a cycle cannot loop forever.
  const seen = new WeakSet<object>();
  while (stack.length > 0) {
    const { path, value } = stack.pop() as { path: SpecPath; value: unknown };
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) continue;
      seen.add(value);
    }
    if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push({ path: [...path, i], value: item }));
    } else if (isRecord(value)) {
      for (const [key, child] of Object.entries(value)) stack.push({ path: [...path, key], value: child });
    } else {
      const finding = checkScalar(path, value);
      if (finding !== undefined) findings.push(finding);
    }
  }
  return findings.reverse();
}

/** `spec.pipeline.parametersFromEnv.NAME`: the value is the name of an environment variable, not a secret. */
function namesAnEnvironmentVariable(path: SpecPath): boolean {
  return path.length === 4 && path[0] === 'spec' && path[1] === 'pipeline' && path[2] === PARAMETERS_FROM_ENV;
}

function checkScalar(path: SpecPath, value: unknown): Finding | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  if (namesAnEnvironmentVariable(path)) return undefined;
  const text = String(value);
  if (text.trim() === '') return undefined;
  const where = formatPath(path);
  const key = path[path.length - 1];
  if (typeof key === 'string' && isSecretKey(key)) {
    return {
      path,
      on: 'key',
      severity: 'error',
      message: `${where}: a secret must not be written in this file (the value is not shown here); ${remedy(path, key)}`,
    };
  }
  const shape = credentialShape(text);
  if (shape !== undefined) {
    return {
      path,
      on: 'value',
      severity: 'error',
      message:
        `${where}: the value looks like ${shape}; a secret must not be written in this file ` +
        '(the value is not shown here). Name an environment variable or file that holds it instead',
    };
  }
  const userinfo = URL_USERINFO.exec(text)?.[1];
  if (userinfo !== undefined && (userinfo.includes(':') || key === 'endpoint')) {
    return {
      path,
      on: 'value',
      severity: 'error',
      message:
        `${where}: credentials are embedded in the URL (the part before "@", not shown here); ` +
        'remove them and name the secret with an …Env field (e.g. kfp.auth.tokenEnv, objectStore.accessKeyIdEnv)',
    };
  }
  return undefined;
}

/** The field of `spec.pipeline` that gives parameters from the environment: `{PARAMETER: ENV_VAR}`. */
export const PARAMETERS_FROM_ENV = 'parametersFromEnv';

/**
 * The runtime parameters a run is created with: the file's values and, for each entry of
 * `spec.pipeline.parametersFromEnv`, the value of the environment variable it names. Read only when
 * a location is contacted (validate and an offline plan never need it); a variable that is unset or
 * empty is a user error naming the variable, never a value.
 */
export function runtimeParameters(
  pipeline: { parameters?: Record<string, JsonValue>; parametersFromEnv?: Record<string, string> },
  env: Record<string, string | undefined>,
): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = { ...(pipeline.parameters ?? {}) };
  for (const [name, variable] of Object.entries(pipeline.parametersFromEnv ?? {})) {
    const value = env[variable];
    if (value === undefined || value === '') {
      throw new UserError(
        `spec.pipeline.${PARAMETERS_FROM_ENV}.${name}: the environment variable ${variable} is ${value === undefined ? 'not set' : 'empty'}`,
        {
          code: 'parameter-env-missing',
          operation: 'read-parameters',
          advice:
            `set ${variable} to the value of pipeline parameter "${name}" in the environment that runs split-pipelines ` +
            `(in the Action: env: ${variable}: \${{ secrets.${variable} }})`,
        },
      );
    }
    out[name] = value;
  }
  return out;
}
