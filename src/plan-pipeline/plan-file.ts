// The plan file (`plan --out FILE`, `apply --plan FILE`): a versioned, self-describing JSON document
// with the plan (operations, stages, policy results), the digests of what it was made from (the split
// file, the pipeline package, each location's observation) and a digest of itself, so a file edited
// after it was written is refused rather than trusted. It holds no secrets: the plan never does,
// and observations are recorded as digests.
import { readFile, writeFile } from 'node:fs/promises';
import { UserError } from '../errors/user-error.js';
import type { PolicyContext } from '../policy/types.js';
import type { PlanDocument } from '../plan/types.js';
import { canonicalJson } from '../split-file/revision.js';
import { sha256 } from './digests.js';

export const PLAN_FILE_FORMAT = 'split-pipelines-plan';
export const PLAN_FILE_VERSION = 1;

export interface PlanFile {
  format: typeof PLAN_FILE_FORMAT;
  version: number;
  about: string;
  createdAt: string;
  name: string;
  revision: string;
  revisionDigest: string;
  /** The split file and the pipeline package, as given on the command line and by the file. */
  file: { path: string; sha256: string };
  package: { path: string; sha256: string };
  /** Location → sha256 of what was observed there (empty for an offline plan). */
  observations: Record<string, string>;
  /** The `context` the policy results were evaluated in (apply re-evaluates in it to compare). */
  policyContext?: PolicyContext;
  plan: PlanDocument;
  /** `sha256:` of the canonical JSON of every field above. */
  digest: string;
}

export type PlanFileBody = Omit<PlanFile, 'format' | 'version' | 'about' | 'digest'>;

const ABOUT =
  'A plan written by `split-pipelines plan --out`. `split-pipelines apply --plan FILE` applies it only while a fresh ' +
  'plan has the same operations and policy results, the split file and the package are unchanged, and this file is as written.';

function digestOf(doc: Omit<PlanFile, 'digest'>): string {
  return `sha256:${sha256(canonicalJson(doc))}`;
}

export function planFileOf(body: PlanFileBody): PlanFile {
  const doc: Omit<PlanFile, 'digest'> = { format: PLAN_FILE_FORMAT, version: PLAN_FILE_VERSION, about: ABOUT, ...body };
  return { ...doc, digest: digestOf(doc) };
}

export async function writePlanFile(path: string, file: PlanFile): Promise<void> {
  try {
    await writeFile(path, `${JSON.stringify(file, null, 2)}\n`);
  } catch (e) {
    throw new UserError(`--out ${path}: cannot write the plan file: ${(e as Error).message}`, {
      code: 'plan-file-unwritable',
      operation: 'write-plan',
      advice: 'name a file in a directory that exists and is writable',
      cause: e,
    });
  }
}

export class PlanFileError extends UserError {
  constructor(path: string, problem: string, advice: string, code = 'plan-file-invalid') {
    super(`${path}: ${problem}`, { code, operation: 'read-plan', advice });
    this.name = 'PlanFileError';
  }
}

const AGAIN = 'write it again with `split-pipelines plan --out FILE` and review that plan';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads and checks a plan file: its format and version, its shape, and that it is as it was written. */
export async function readPlanFile(path: string): Promise<PlanFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new PlanFileError(
      path,
      `cannot read the plan file: ${(e as Error).message}`,
      'name the file `plan --out` wrote',
    );
  }
  return parsePlanFile(path, text);
}

export function parsePlanFile(path: string, text: string): PlanFile {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new PlanFileError(path, `not a plan file: not JSON (${(e as Error).message})`, AGAIN);
  }
  if (!isObject(doc) || doc['format'] !== PLAN_FILE_FORMAT) {
    throw new PlanFileError(path, `not a plan file: "format" is not "${PLAN_FILE_FORMAT}"`, AGAIN);
  }
  if (doc['version'] !== PLAN_FILE_VERSION) {
    throw new PlanFileError(
      path,
      `plan file version ${String(doc['version'])} is not supported (this split-pipelines reads version ${PLAN_FILE_VERSION})`,
      `${AGAIN} with this version of split-pipelines`,
    );
  }
  const missing = ['createdAt', 'name', 'revision', 'revisionDigest', 'digest'].filter(
    (k) => typeof doc[k] !== 'string',
  );
  for (const k of ['file', 'package', 'observations', 'plan']) if (!isObject(doc[k])) missing.push(k);
  const plan = doc['plan'];
  if (isObject(plan) && (!Array.isArray(plan['operations']) || !Array.isArray(plan['stages'])))
    missing.push('plan.operations');
  if (missing.length > 0)
    throw new PlanFileError(path, `not a plan file: missing or malformed ${missing.join(', ')}`, AGAIN);
  const { digest, ...rest } = doc as unknown as PlanFile;
  const actual = digestOf(rest);
  if (actual !== digest) {
    throw new PlanFileError(
      path,
      `the plan file was changed after it was written (its digest is ${digest}, its content's ${actual}); it is not the plan that was reviewed`,
      AGAIN,
      'plan-file-tampered',
    );
  }
  return doc as unknown as PlanFile;
}
