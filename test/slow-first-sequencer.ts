// Which test files start first. On a clean clone (CI) vitest knows no durations from an earlier run
// and starts the largest files first, but the longest-running files are small ones that start CLIs
// and labs. Started last, such a file runs alone at the end while the other worker idles; started
// first, the short files fill the gaps around it. Within each group vitest's own order is kept
// (with an earlier run's durations, longest first).
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Longest first: the kill test alone runs for over a minute. */
const LONG_RUNNING = [
  'test/e2e/kill.',
  'test/package/',
  'test/cli/lab.',
  'test/reliability/',
  'test/e2e/',
  'test/cli/',
  'test/action/bundle-',
];

export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const group = (f: TestSpecification) => {
      const path = relative(f.project.config.root, f.moduleId).split('\\').join('/');
      const at = LONG_RUNNING.findIndex((prefix) => path.startsWith(prefix));
      return at === -1 ? LONG_RUNNING.length : at;
    };
    // Array.prototype.sort is stable: each group keeps vitest's order.
    return sorted.sort((a, b) => group(a) - group(b));
  }
}
