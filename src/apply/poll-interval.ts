// How often apply reads the state of a run it waits for (a stage's run, a handoff's marker run).
// The first interval grows by half up to 5 s (src/location/kfp/run-wait.ts), so a long run costs
// few reads whatever the start. A location whose runs end within a second (a lab, a small
// pipeline) waits out most of the first interval; SPLIT_PIPELINES_POLL_MS shortens it.

/** `SPLIT_PIPELINES_POLL_MS` (milliseconds, at least 10), or undefined for the defaults (1 s; 0.5 s for marker runs). */
export function pollMsFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env['SPLIT_PIPELINES_POLL_MS'];
  if (raw === undefined || raw.trim() === '') return undefined;
  const v = Number(raw);
  return Number.isFinite(v) && v >= 10 ? Math.floor(v) : undefined;
}
