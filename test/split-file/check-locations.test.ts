import { describe, expect, test } from 'vitest';
import { checkLocations } from '../../src/split-file/check-locations.js';

const location = (name: string): Record<string, unknown> => ({ name, kfp: {}, mlmd: {}, objectStore: {} });
const spec = (locations: unknown, stages: unknown): unknown => ({ spec: { locations, stages } });
const messages = (data: unknown): string[] => checkLocations(data).map((f) => f.message);

describe('checkLocations', () => {
  test('finds nothing wrong when every location is declared once and used, and every step placed once', () => {
    const data = spec(
      [location('a'), location('b')],
      [
        { location: 'a', steps: ['x', 'y'] },
        { location: 'b', steps: ['z'] },
        { location: 'a', steps: ['w'] },
      ],
    );
    expect(messages(data)).toEqual([]);
  });

  test('reports a location declared twice, at the second declaration', () => {
    const found = checkLocations(spec([location('a'), location('a')], [{ location: 'a', steps: ['x'] }]));
    expect(found.map((f) => f.path)).toEqual([['spec', 'locations', 1, 'name']]);
    expect(found[0]?.message).toContain('already declared by spec.locations[0]');
  });

  test('reports a declared location no stage uses', () => {
    expect(messages(spec([location('a'), location('b')], [{ location: 'a', steps: ['x'] }]))).toEqual([
      'spec.locations[1].name: location "b" is not used by any stage; remove it or place steps there',
    ]);
  });

  test('reports a stage at an undeclared location, suggesting the closest declared one', () => {
    expect(
      messages(
        spec(
          [location('train')],
          [
            { location: 'trian', steps: ['x'] },
            { location: 'train', steps: ['y'] },
          ],
        ),
      ),
    ).toEqual(['spec.stages[0].location: location "trian" is not declared in spec.locations (did you mean "train"?)']);
  });

  test('reports a step placed in two stages, at its second place', () => {
    const found = checkLocations(
      spec(
        [location('a')],
        [
          { location: 'a', steps: ['x'] },
          { location: 'a', steps: ['y', 'x'] },
        ],
      ),
    );
    expect(found.map((f) => f.path)).toEqual([['spec', 'stages', 1, 'steps', 1]]);
    expect(found[0]?.message).toContain('already placed in stage 1');
  });

  test('reports a stage without steps', () => {
    expect(
      messages(
        spec(
          [location('a')],
          [
            { location: 'a', steps: ['x'] },
            { location: 'a', steps: [] },
          ],
        ),
      ),
    ).toEqual([
      'spec.stages[1].steps: stage 2 lists no steps; every stage runs at least one step (remove the stage or move steps into it)',
    ]);
  });

  test('reports two stages with one name, and a numeric name that is not the stage position', () => {
    const data = spec(
      [location('a')],
      [
        { name: 'first', location: 'a', steps: ['x'] },
        { name: 'first', location: 'a', steps: ['y'] },
        { name: '1', location: 'a', steps: ['z'] },
      ],
    );
    expect(messages(data)).toEqual([
      'spec.stages[1].name: stage name "first" is already used by spec.stages[0]; stage names must be unique',
      'spec.stages[2].name: stage name "1" is a number other than the stage\'s position (3); "--through 1" would be ambiguous',
    ]);
  });

  test('does not report unused locations when there are no stages (the schema says so once)', () => {
    expect(messages(spec([location('a')], []))).toEqual([]);
  });

  test('reads malformed data without throwing', () => {
    for (const data of [
      null,
      'x',
      [],
      { spec: null },
      { spec: { locations: 'x', stages: {} } },
      spec([null, 3, { name: 7 }], [null, { steps: 'x' }, { location: 3, steps: [1, null] }]),
    ]) {
      expect(() => checkLocations(data)).not.toThrow();
    }
  });
});
