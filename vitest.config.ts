import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { SlowFirstSequencer } from './test/slow-first-sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // Files share their worker's module graph instead of importing the product and the lab afresh
    // each (that import was a third of the suite's time). What a file changes globally it undoes:
    // nock is activated and restored per file, env and fake clocks are restored after each test.
    isolate: false,
    // One file per core, not vitest's default of one less: most files keep about one core busy
    // (a lab in the worker plus the CLI processes a test starts), some wait on retries and polls.
    maxWorkers: Math.max(2, availableParallelism()),
    // s3rver builds ListObjectsV2 continuation tokens with DES, which OpenSSL 3 only offers
    // through the legacy provider: without it a truncated listing answers 500 on Node >= 17.
    execArgv: ['--openssl-legacy-provider'],
    // Lab runs end within a second, so the CLI's default first wait for a run (1 s) would mostly be
    // idle; the documented knob (README, `apply`) shortens it for every apply a test starts.
    env: { SPLIT_PIPELINES_POLL_MS: '100' },
    // Hang guards, not deadlines: with two workers on two cores a test's CLI and lab processes share
    // the machine with another test's, so a test may take twice its time alone.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    globalSetup: ['test/global-setup.ts'],
    sequence: { sequencer: SlowFirstSequencer },
  },
});
