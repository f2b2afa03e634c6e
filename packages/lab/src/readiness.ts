// Whether every location of a lab answers on all four protocols: KFP healthz, an ML Metadata call,
// an S3 HEAD in the pipeline-root bucket, and the Kubernetes API's /version.
import { readFileSync } from 'node:fs';
import { MlmdClient } from '../../../src/location/mlmd/index.js';
import { ObjectStore } from '../../../src/location/objectstore/index.js';
import type { LabFile } from './lab-config.js';

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** The first problem found, or undefined when every location answers. */
export async function labProblem(file: LabFile): Promise<string | undefined> {
  for (const [name, l] of Object.entries(file.locations)) {
    if (!(await answers(`${l.kfp}/apis/v2beta1/healthz`))) return `location ${name}: KFP at ${l.kfp} does not answer`;
    if (!(await answers(`${l.kubernetes}/version`)))
      return `location ${name}: Kubernetes API at ${l.kubernetes} does not answer`;
    // A location running the next KFP has no ML Metadata (mlmd '').
    if (l.mlmd) {
      const mlmd = new MlmdClient({ location: name, address: l.mlmd, deadlineMs: 2000, retry: { attempts: 1 } });
      try {
        await mlmd.getContextTypes();
      } catch {
        return `location ${name}: ML Metadata at ${l.mlmd} does not answer`;
      } finally {
        mlmd.close();
      }
    }
    const store = new ObjectStore({
      location: name,
      endpoint: l.objectStore,
      credentials: l.credentials,
      maxAttempts: 1,
      connectionTimeoutMs: 2000,
      requestTimeoutMs: 2000,
    });
    try {
      // HEAD answers 404 for a missing object (or bucket); only a dead server throws.
      await store.head({ bucket: l.bucket, key: '.lab-readiness-probe' });
    } catch {
      return `location ${name}: the object store at ${l.objectStore} does not answer`;
    } finally {
      store.close();
    }
  }
  return undefined;
}

/**
 * Whether a process with this id is running (signal 0 checks without signalling). A zombie — ended
 * but not yet reaped by its new parent, as a detached lab is after it exits — counts as ended.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no procfs (macOS): signal 0 is all there is
  }
}
