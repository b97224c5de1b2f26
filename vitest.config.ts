import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // tests/browser/ is included: real Chromium against the app on a local port. Those files set
    // their own longer timeouts, and fail (never skip) when Chromium is missing. `npm test` runs
    // them after the rest: beside the files that spawn processes (start-up, benchmarks' helpers)
    // on two cores, a page's request could wait past a step's timeout.
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/helpers/global-setup.ts'],
    // Integration files each clone their own database; two cores, so a few files at a time.
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
