// bench/metadata: one handoff of 1,000 steps (a generated pipeline of 1,010 tasks in 10 chains:
// stage 1 runs 1,000 of them at a, stage 2 the last 10 at b, so the handoff to b carries all
// 1,000). The handoff runs through the real code (runHandoff, as apply calls it) with its phases
// timed and its requests counted on the wire: the export at a, the bytes, the marker run, and the
// metadata import at b — entities per second and requests per entity. Then the same handoff
// again, which must find everything and create nothing.
import { ReconcileSession } from '../src/apply/session.js';
import { applyProject } from '../src/apply/apply.js';
import { markerRunName } from '../src/split-file/run-names.js';
import { runHandoff, type HandoffReport } from '../src/sync/handoff.js';
import { startWireProbe, type WireProbe } from '../test/support/wire-probe.js';
import { benchLab, figures, generatedProject, round, runBench, say, timed } from './lib/bench-kit.js';

const STEPS = Number(process.env['BENCH_METADATA_STEPS'] ?? 1000);
const WIDTH = 10;

type Phase = 'export' | 'bytes' | 'marker-run' | 'metadata' | 'done';

async function main(): Promise<void> {
  const b = await benchLab('metadata', { locations: ['a', 'b'] });
  try {
    const { project } = await generatedProject(b, 'metadata', STEPS + WIDTH, 'a', 'b');
    const stage1 = await timed(() => applyProject(project, { env: b.env, pollMs: 500, through: '1' }));
    if (!stage1.value.applied.every((a) => a.status === 'done')) throw new Error('stage 1 did not finish');
    say(`stage 1 ran ${STEPS} tasks at a in ${round(stage1.seconds, 1)} s`);

    const session = new ReconcileSession(project, { env: b.env });
    try {
      const plan = session.plan(await session.observe());
      const op = plan.operations.find((o) => o.kind === 'handoff');
      if (!op?.steps || op.steps.length !== STEPS)
        throw new Error(`expected a handoff of ${STEPS} steps, the plan has ${op?.steps?.length ?? 'none'}`);
      const owner = new Map<string, string>();
      for (const [name, l] of Object.entries(b.lab.locations)) {
        owner.set(new URL(l.kfp).host, name);
        owner.set(l.mlmd, name);
        owner.set(new URL(l.objectStore).host, name);
      }
      const handoff = async (probe: WireProbe) => {
        const phases: { phase: Phase; at: number; requests: Record<string, number> }[] = [];
        const snapshot = () => {
          const perLocation: Record<string, number> = {};
          for (const [endpoint, c] of probe.byEndpoint())
            perLocation[owner.get(endpoint) ?? endpoint] =
              (perLocation[owner.get(endpoint) ?? endpoint] ?? 0) + c.kfp + c.mlmd + c.s3;
          return perLocation;
        };
        const started = process.hrtime.bigint();
        const report = await runHandoff({
          source: session.readers(op.from!),
          target: session.readers(op.location),
          graph: project.graph,
          parameters: session.parameters,
          steps: op.steps!,
          splitPipeline: project.spec.metadata.name,
          revision: project.revision.short,
          experiment: session.experiment,
          markerRunName: markerRunName(project.spec.metadata.name, project.revision.short, op.stage, op.from!),
          onPhase: (phase) =>
            phases.push({ phase, at: Number(process.hrtime.bigint() - started) / 1e9, requests: snapshot() }),
        });
        return { report, phases, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
      };
      const span = (
        phases: { phase: Phase; at: number; requests: Record<string, number> }[],
        from: Phase,
        to: Phase,
      ) => {
        const a = phases.find((p) => p.phase === from)!;
        const z = phases.find((p) => p.phase === to)!;
        const requests: Record<string, number> = {};
        for (const l of new Set([...Object.keys(a.requests), ...Object.keys(z.requests)]))
          requests[l] = (z.requests[l] ?? 0) - (a.requests[l] ?? 0);
        return { seconds: z.at - a.at, requests };
      };

      const probe = startWireProbe();
      let first: Awaited<ReturnType<typeof handoff>>;
      let again: Awaited<ReturnType<typeof handoff>>;
      try {
        first = await handoff(probe);
        probe.reset();
        again = await handoff(probe);
      } finally {
        probe.stop();
      }
      const r: HandoffReport = first.report;
      const exportSpan = span(first.phases, 'export', 'bytes');
      const bytesSpan = span(first.phases, 'bytes', 'marker-run');
      const markerSpan = span(first.phases, 'marker-run', 'metadata');
      const importSpan = span(first.phases, 'metadata', 'done');
      // Events: every carried artifact has its OUTPUT event, and every consumed one an INPUT event.
      const entities = r.executionsCreated + r.artifactsCreated + r.cacheRowsCreated;
      const importRequests = importSpan.requests['b'] ?? 0;
      say(
        `handoff of ${r.steps.length} steps a → b in ${round(first.seconds, 1)} s: ` +
          `${r.executionsCreated} executions, ${r.artifactsCreated} artifacts, ${r.cacheRowsCreated} cache rows; ` +
          `${r.objectsCopied} objects (${r.bytesMoved} bytes)`,
      );
      say(`  export at a        ${round(exportSpan.seconds, 2)} s, ${exportSpan.requests['a'] ?? 0} requests at a`);
      say(
        `  bytes              ${round(bytesSpan.seconds, 2)} s, ${(bytesSpan.requests['a'] ?? 0) + (bytesSpan.requests['b'] ?? 0)} requests`,
      );
      say(`  marker run         ${round(markerSpan.seconds, 2)} s`);
      say(
        `  metadata import    ${round(importSpan.seconds, 2)} s, ${importRequests} requests at b: ` +
          `${round(entities / importSpan.seconds, 0)} entities/s (executions + artifacts + cache rows), ` +
          `${round(importRequests / entities, 2)} requests per entity`,
      );
      const createdAgain =
        again.report.executionsCreated + again.report.artifactsCreated + again.report.cacheRowsCreated;
      say(
        `again: ${round(again.seconds, 1)} s, ${createdAgain} entities created, ${again.report.bytesMoved} bytes moved`,
      );
      figures('metadata', {
        steps: r.steps.length,
        handoffSeconds: round(first.seconds, 2),
        exportSeconds: round(exportSpan.seconds, 2),
        exportRequests: exportSpan.requests['a'] ?? 0,
        bytesSeconds: round(bytesSpan.seconds, 2),
        markerRunSeconds: round(markerSpan.seconds, 2),
        importSeconds: round(importSpan.seconds, 2),
        executionsCreated: r.executionsCreated,
        artifactsCreated: r.artifactsCreated,
        cacheRowsCreated: r.cacheRowsCreated,
        entitiesPerSecond: round(entities / importSpan.seconds, 0),
        importRequests,
        requestsPerEntity: round(importRequests / entities, 2),
        againSeconds: round(again.seconds, 2),
        againEntitiesCreated:
          again.report.executionsCreated + again.report.artifactsCreated + again.report.cacheRowsCreated,
        againBytesMoved: again.report.bytesMoved,
      });
    } finally {
      await session.close();
    }
  } finally {
    await b.close();
  }
}

runBench(main);
