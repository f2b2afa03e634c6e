// The `auto` choice and explicit choices of a transfer engine, against fake engines and sides.
import { describe, expect, it } from 'vitest';
import type { TransferEngine, TransferEngineName, TransferSide } from '../../src/transfer/engine.js';
import { chooseEngine, estimateSeconds, TransferChoiceError } from '../../src/transfer/choose.js';
import { serverSideEngine } from '../../src/transfer/server-side.js';
import type { ObjectStore } from '../../src/location/objectstore/index.js';

const MiB = 1024 * 1024;
const store = {} as ObjectStore;
const side = (location: string, endpoint: string | undefined, settings?: TransferSide['settings']): TransferSide => ({
  location,
  endpoint,
  region: 'us-east-1',
  store,
  settings,
});
const fake = (name: TransferEngineName, usable: boolean): TransferEngine => ({
  name,
  usable: () => (usable ? { usable: true } : { usable: false, reason: 'fake says no' }),
  startOrResume: () => Promise.reject(new Error('not started in this test')),
});
const inline = fake('inline', true);

describe('chooseEngine', () => {
  const a = side('a', 'http://s3:9000');
  const b = side('b', 'http://s3:9000/');
  const far = side('far', 'http://other:9000');
  const engines = [inline, serverSideEngine(), fake('kubernetes-job', true)];

  it('auto keeps small handoffs inline, whatever else is usable', () => {
    expect(chooseEngine(undefined, a, b, 64 * MiB, engines).engine.name).toBe('inline');
    expect(chooseEngine({ engine: 'auto', inlineMaxBytes: 10 }, a, b, 11, engines).engine.name).toBe('server-side');
  });

  it('auto takes server-side on one endpoint, else a usable Job, else inline', () => {
    expect(chooseEngine(undefined, a, b, 65 * MiB, engines).engine.name).toBe('server-side');
    expect(chooseEngine(undefined, a, far, 65 * MiB, engines).engine.name).toBe('kubernetes-job');
    expect(
      chooseEngine(undefined, a, far, 65 * MiB, [inline, serverSideEngine(), fake('kubernetes-job', false)]).engine
        .name,
    ).toBe('inline');
  });

  it("auto respects a location's transfer.engines", () => {
    const onlyInline = side('b', 'http://s3:9000', { engines: ['inline'] });
    expect(chooseEngine(undefined, a, onlyInline, 1024 * MiB, [inline, serverSideEngine()]).engine.name).toBe('inline');
  });

  it('an explicit engine that cannot copy this pair is an error naming the pair and why', () => {
    expect(() => chooseEngine({ engine: 'server-side' }, a, far, 1, engines)).toThrow(TransferChoiceError);
    expect(() => chooseEngine({ engine: 'server-side' }, a, far, 1, engines)).toThrow(
      /from a to far: .*different object store endpoints/,
    );
    expect(() => chooseEngine({ engine: 'kubernetes-job' }, a, b, 1, [inline])).toThrow(/not available/);
    expect(chooseEngine({ engine: 'inline' }, a, b, 10 * 1024 * MiB, engines).engine.name).toBe('inline');
  });

  it('estimates time from the file throughput or the default', () => {
    expect(
      estimateSeconds('server-side', 1000 * MiB, {
        engine: 'auto',
        throughputBytesPerSecond: { 'server-side': 100 * MiB },
      }),
    ).toBe(10);
    expect(estimateSeconds('inline', 0)).toBe(0);
  });
});
