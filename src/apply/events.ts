// What apply reports while it works: rendered as progress lines on a terminal, as JSON lines in CI.
import type { PlannedOperation } from '../plan/types.js';

export type ApplyEvent =
  | { type: 'observed'; operations: number }
  | { type: 'operation-start'; op: PlannedOperation }
  | { type: 'operation-done'; op: PlannedOperation; detail: string; durationMs: number; bytesMoved?: number }
  | { type: 'bytes'; op: PlannedOperation; done: number; total: number; moved: number }
  | { type: 'run-state'; op: PlannedOperation; runId: string; state: string }
  | { type: 'lock-wait'; location: string; heldBy: string }
  | { type: 'warning'; message: string };

export type ApplyListener = (e: ApplyEvent) => void;
