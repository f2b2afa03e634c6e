// Which backend a location has, told by the location itself: an API server that answers the native task
// API (`tasks:findCached`) is the next KFP and keeps its records there, with no ML Metadata; one that does
// not keeps them in ML Metadata (KFP 2.14–2.17). The file's `mlmd:` must agree: needed where the backend
// uses it, refused where there is none to use. A disagreement is a UserError that says what to change.
import { UserError } from '../../errors/user-error.js';
import type { NativeClient } from '../native/client.js';
import type { BackendKind } from './port.js';

export interface DetectSource {
  name: string;
  native: Pick<NativeClient, 'servesNativeApi'>;
  /** The file's `mlmd.endpoint`, when it sets one. */
  mlmdEndpoint?: string;
  /** What healthz reported (or the file's `kfp.version`), for messages. */
  kfpVersion?: string;
}

export class BackendMismatchError extends UserError {
  constructor(location: string, problem: string, advice: string) {
    super(problem, { code: 'backend-mismatch', location, operation: 'detect backend', advice });
    this.name = 'BackendMismatchError';
  }
}

export async function detectBackend(src: DetectSource): Promise<BackendKind> {
  const native = await src.native.servesNativeApi();
  const version = src.kfpVersion ? `KFP ${src.kfpVersion}` : 'its KFP';
  if (native && src.mlmdEndpoint !== undefined)
    throw new BackendMismatchError(
      src.name,
      `location ${src.name} runs ${version} without ML Metadata (its API server answers the native task API), ` +
        `but the file sets mlmd.endpoint ${src.mlmdEndpoint} for it`,
      `remove mlmd from spec.locations[${src.name}]: that KFP keeps its tasks and artifacts in its API server`,
    );
  if (!native && src.mlmdEndpoint === undefined)
    throw new BackendMismatchError(
      src.name,
      `location ${src.name} runs ${version}, which keeps its records in ML Metadata, but the file sets no mlmd for it`,
      `add mlmd.endpoint to spec.locations[${src.name}] (KFP's metadata-grpc-service, port 8080)`,
    );
  return native ? 'native' : 'mlmd';
}
