// The shape of an RPC handler: synchronous, run inside one SQLite transaction by the server.
import type { Db } from './database.js';

export interface HandlerContext {
  readonly db: Db;
  /** Milliseconds since the epoch, fixed for the whole call (MLMD stamps one time per write). */
  readonly now: number;
}

/**
 * Requests arrive as decoded protobuf objects; each handler declares the fields it reads as its
 * parameter type (`never` here so that any such declaration is assignable).
 */
export type Handler = (context: HandlerContext, request: never) => object;

export type Handlers = Record<string, Handler>;
