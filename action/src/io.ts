// Everything the action says to the runner goes through this interface: production uses
// `@actions/core`, tests capture. `redactingIO` wraps one so no text leaves with a secret in it.
import * as core from '@actions/core';
import type { SecretMasker } from './secrets.js';

/** Where an annotation points (a file in the repository, 1-based). */
export interface Annotation {
  file?: string;
  startLine?: number;
  startColumn?: number;
  title?: string;
}

export interface ActionIO {
  /** Asks the runner to mask the value in logs (`::add-mask::`). */
  setSecret(value: string): void;
  setOutput(name: string, value: string): void;
  info(message: string): void;
  warning(message: string, at?: Annotation): void;
  error(message: string, at?: Annotation): void;
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Appends Markdown to the job summary (`$GITHUB_STEP_SUMMARY`). */
  appendSummary(markdown: string): Promise<void>;
  setFailed(message: string): void;
}

export function actionsCoreIO(env: NodeJS.ProcessEnv = process.env): ActionIO {
  return {
    setSecret: (v) => core.setSecret(v),
    setOutput: (n, v) => core.setOutput(n, v),
    info: (m) => core.info(m),
    warning: (m, at) => core.warning(m, at),
    error: (m, at) => core.error(m, at),
    group: (name, fn) => core.group(name, fn),
    appendSummary: async (md) => {
      // Outside a runner there is no summary file; @actions/core would throw.
      if (!env['GITHUB_STEP_SUMMARY']) return;
      await core.summary.addRaw(md, true).write();
      core.summary.emptyBuffer();
    },
    setFailed: (m) => core.setFailed(m),
  };
}

/** The same IO, with every secret the masker knows replaced in every text it is given. */
export function redactingIO(io: ActionIO, masker: SecretMasker): ActionIO {
  const r = (s: string) => masker.redact(s);
  const at = (a?: Annotation) => (a?.title ? { ...a, title: r(a.title) } : a);
  return {
    setSecret: (v) => io.setSecret(v),
    setOutput: (n, v) => io.setOutput(n, r(v)),
    info: (m) => io.info(r(m)),
    warning: (m, a) => io.warning(r(m), at(a)),
    error: (m, a) => io.error(r(m), at(a)),
    group: (name, fn) => io.group(r(name), fn),
    appendSummary: (md) => io.appendSummary(r(md)),
    setFailed: (m) => io.setFailed(r(m)),
  };
}
