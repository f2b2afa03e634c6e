// bench/plan: what a plan costs (observe every location + plan) against the size of each
// location's ML Metadata history (0, 10k, 100k executions, each with an output artifact and its
// event) and the size of the pipeline (5, 50, 200 tasks). Every project is applied first, so a
// plan walks every task at every location (the expensive case: each step is looked up, verified
// and its bytes checked). Requests are counted on the wire per location and protocol: KFP REST and
// ML Metadata gRPC (the run metadata, read with list calls batched per wave of tasks: see
// src/observe/cache-lookup.ts), and S3 (one byte check per artifact). Targets: the number of
// requests does not depend on the history; plan time at 100k ≤ 1.5 × at 0.
import { applyProject, planProject } from '../src/apply/apply.js';
import type { Project } from '../src/split-file/load-project.js';
import { startWireProbe, type Protocol } from '../test/support/wire-probe.js';
import { benchLab, figures, generatedProject, median, round, runBench, say, timed } from './lib/bench-kit.js';
import { insertHistory } from './lib/history.js';

const SIZES = [5, 50, 200];
const HISTORY = (process.env['BENCH_PLAN_HISTORY'] ?? '0,10000,100000').split(',').map(Number);
const REPEATS = Number(process.env['BENCH_PLAN_REPEATS'] ?? 5);
const LOCATIONS = ['a', 'b'];

type PerLocation = Record<string, Record<Protocol, number>>;

async function main(): Promise<void> {
  const b = await benchLab('plan', { locations: LOCATIONS });
  try {
    const endpointOwner = new Map<string, string>();
    for (const [name, l] of Object.entries(b.lab.locations)) {
      endpointOwner.set(new URL(l.kfp).host, name);
      endpointOwner.set(l.mlmd, name);
      endpointOwner.set(new URL(l.objectStore).host, name);
    }
    const projects: { tasks: number; project: Project }[] = [];
    for (const tasks of SIZES) {
      const { project } = await generatedProject(b, `plan-${tasks}`, tasks, 'a', 'b');
      const applied = await timed(() => applyProject(project, { env: b.env, pollMs: 200 }));
      if (!applied.value.inSync)
        throw new Error(
          `the ${tasks}-task project did not converge: ${applied.value.plan.operations.map((o) => o.reason).join('; ')}`,
        );
      say(`applied the ${tasks}-task pipeline (stage 1 at a, handoff, stage 2 at b) in ${round(applied.seconds, 1)} s`);
      projects.push({ tasks, project });
    }

    const rows: {
      history: number;
      tasks: number;
      seconds: number;
      requests: PerLocation;
      total: number;
      kfp: number;
      mlmd: number;
    }[] = [];
    let inserted = 0;
    for (const history of HISTORY) {
      if (history > inserted) {
        const t = await timed(() =>
          Promise.all(LOCATIONS.map((l) => insertHistory(l, b.lab.locations[l]!.mlmd, history - inserted))),
        );
        say(
          `inserted ${history - inserted} executions (+ artifacts and events) of history at each location in ${round(t.seconds, 1)} s`,
        );
        inserted = history;
      }
      for (const { tasks, project } of projects) {
        const probe = startWireProbe();
        const times: number[] = [];
        let requests: PerLocation = {};
        try {
          for (let i = 0; i < REPEATS; i++) {
            probe.reset();
            const t = await timed(() => planProject(project, { env: b.env }));
            if (!t.value.inSync) throw new Error(`plan of the ${tasks}-task project is not in sync`);
            times.push(t.seconds);
            requests = {};
            for (const [endpoint, counts] of probe.byEndpoint()) {
              const owner = endpointOwner.get(endpoint) ?? endpoint;
              const r = (requests[owner] ??= { kfp: 0, mlmd: 0, s3: 0 });
              for (const p of ['kfp', 'mlmd', 's3'] as const) r[p] += counts[p];
            }
          }
        } finally {
          probe.stop();
        }
        const seconds = median(times);
        const total = Object.values(requests).reduce((n, r) => n + r.kfp + r.mlmd + r.s3, 0);
        const kfp = Object.values(requests).reduce((n, r) => n + r.kfp, 0);
        const mlmd = Object.values(requests).reduce((n, r) => n + r.mlmd, 0);
        rows.push({ history, tasks, seconds, requests, total, kfp, mlmd });
        const per = LOCATIONS.map(
          (l) => `${l}: ${requests[l]?.kfp ?? 0} KFP + ${requests[l]?.mlmd ?? 0} MLMD + ${requests[l]?.s3 ?? 0} S3`,
        ).join('; ');
        say(
          `history ${String(history).padStart(6)}, ${String(tasks).padStart(3)} tasks: plan ${round(seconds * 1000, 0)} ms (median of ${REPEATS}), ` +
            `${total} requests: ${kfp} KFP + ${mlmd} MLMD + ${total - kfp - mlmd} S3 (${per})`,
        );
      }
    }

    const at = (history: number, tasks: number) => rows.find((r) => r.history === history && r.tasks === tasks)!;
    const lowest = HISTORY[0]!;
    const highest = HISTORY[HISTORY.length - 1]!;
    const requestsIndependent = SIZES.every((t) =>
      rows.filter((r) => r.tasks === t).every((r) => r.total === at(lowest, t).total),
    );
    const ratios = Object.fromEntries(SIZES.map((t) => [t, round(at(highest, t).seconds / at(lowest, t).seconds)]));
    const worstRatio = Math.max(...Object.values(ratios));
    const targets = {
      requestsIndependentOfHistory: requestsIndependent,
      planAtLargestHistoryAtMost1_5x: worstRatio <= 1.5,
    };
    say('');
    say(`requests independent of history: ${requestsIndependent ? 'yes — target met' : 'NO — target not met'}`);
    say(
      `plan time at ${highest} / at ${lowest} executions: ${SIZES.map((t) => `${t} tasks ${ratios[t]}×`).join(', ')} ` +
        `— target ≤ 1.5×: ${targets.planAtLargestHistoryAtMost1_5x ? 'met' : 'NOT met'}`,
    );
    const largest = at(lowest, SIZES[SIZES.length - 1]!);
    say(
      `${largest.tasks} tasks, both locations: ${largest.kfp} KFP + ${largest.mlmd} MLMD requests ` +
        `(${round((largest.kfp + largest.mlmd) / largest.tasks, 2)} per task), ${largest.total} with S3 ` +
        `(${round(largest.total / largest.tasks, 1)} per task), plan ${round(largest.seconds * 1000, 0)} ms`,
    );
    figures('plan', {
      repeats: REPEATS,
      rows: rows.map((r) => ({
        history: r.history,
        tasks: r.tasks,
        ms: round(r.seconds * 1000, 1),
        requests: r.total,
        kfpRequests: r.kfp,
        mlmdRequests: r.mlmd,
        perLocation: r.requests,
      })),
      timeRatioLargestToNoHistory: ratios,
      targets,
    });
  } finally {
    await b.close();
  }
}

runBench(main);
