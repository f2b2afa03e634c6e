// Location secrets reach the action only through environment variables (GitHub secrets mapped
// into `env:`), named in split-pipeline.yaml by `tokenEnv`, `accessKeyIdEnv`, `secretAccessKeyEnv`,
// `sessionTokenEnv`, `valueEnv`, … Every value of such a variable is registered with the runner's
// masker (`::add-mask::`) before anything is planned or applied, and everything the action writes
// itself — comment, job summary, outputs, log lines — is redacted again here, because the runner
// masks logs only, not what we send to GitHub's API.
import { parse } from 'yaml';

/** Keys whose string value names an environment variable holding a credential. */
const ENV_REFERENCE = /Env$/;

/** Environment variable names referenced anywhere in a split-pipeline.yaml (invalid files too). */
export function secretEnvNames(specText: string): string[] {
  let doc: unknown;
  try {
    // Tolerant: a file that fails validation is still scanned, since its names may be right.
    doc = parse(specText, { uniqueKeys: false, maxAliasCount: 100 });
  } catch {
    return [];
  }
  const names = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) {
      for (const [k, child] of Object.entries(v)) {
        if (ENV_REFERENCE.test(k) && typeof child === 'string' && child !== '') names.add(child);
        // spec.pipeline.parametersFromEnv: {PARAMETER: VARIABLE}, a secret parameter's value (issue 12 item 8).
        else if (k === 'parametersFromEnv' && typeof child === 'object' && child !== null && !Array.isArray(child)) {
          for (const variable of Object.values(child as Record<string, unknown>))
            if (typeof variable === 'string' && variable !== '') names.add(variable);
        } else walk(child);
      }
    }
  };
  walk(doc);
  return [...names].sort();
}

/**
 * Values shorter than this are announced to the runner but not redacted from our own texts: a
 * one- or two-character "secret" would shred every plan, and protects nothing.
 */
const MIN_REDACTED_LENGTH = 4;

export const REDACTED = '***';

/** Holds the secret values of this run; announces each to the runner and redacts texts. */
export class SecretMasker {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;

  constructor(private readonly announce: (value: string) => void) {}

  /**
   * Registers a secret: the whole value, each of its lines, and the forms it takes once escaped
   * for JSON or Markdown (a value with `_` is written `\_` in a comment, and would slip past).
   */
  add(value: string): void {
    if (value.trim() === '') return;
    const forms = new Set([
      value,
      ...value
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== ''),
    ]);
    for (const f of [...forms]) {
      forms.add(JSON.stringify(f).slice(1, -1));
      forms.add(f.replace(/[|\\`*_<>[\]]/g, '\\$&'));
      forms.add(f.replace(/[|\\`*_<>]/g, '\\$&'));
    }
    for (const f of forms) {
      if (this.values.has(f)) continue;
      this.announce(f);
      if (f.length >= MIN_REDACTED_LENGTH) this.values.add(f);
    }
    this.pattern = undefined;
  }

  get size(): number {
    return this.values.size;
  }

  redact(text: string): string {
    if (this.values.size === 0) return text;
    if (!this.pattern) {
      // Longest first, so a secret containing another is replaced whole.
      const alternatives = [...this.values].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.pattern = new RegExp(alternatives.join('|'), 'g');
    }
    return text.replace(this.pattern, REDACTED);
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Masks the values of every variable the files name; returns the names that were set. */
export function maskSecretsOf(specTexts: readonly string[], env: NodeJS.ProcessEnv, masker: SecretMasker): string[] {
  const found: string[] = [];
  for (const name of new Set(specTexts.flatMap(secretEnvNames))) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    masker.add(value);
    found.push(name);
  }
  return found.sort();
}

/** The environment without the named variables: what an offline plan of untrusted code gets. */
export function withoutVariables(env: NodeJS.ProcessEnv, names: Iterable<string>): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const n of names) delete copy[n];
  return copy;
}
