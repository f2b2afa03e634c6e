import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // s3rver builds ListObjectsV2 continuation tokens with DES, which OpenSSL 3 only offers
    // through the legacy provider (see docs/research/libs-on-node20.md §4).
    execArgv: ['--openssl-legacy-provider'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    globalSetup: ['test/global-setup.ts'],
  },
});
