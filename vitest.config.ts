import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // s3rver builds ListObjectsV2 continuation tokens with DES, which OpenSSL 3 only offers
    // through the legacy provider: without it a truncated listing answers 500 on Node >= 17.
    execArgv: ['--openssl-legacy-provider'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    globalSetup: ['test/global-setup.ts'],
  },
});
