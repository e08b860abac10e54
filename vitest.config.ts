import { defineConfig } from 'vitest/config';

// The five projects of docs/testing.md: unit (no network), integration (handlers against
// DynamoDB Local and the local S3), end-to-end (the whole local stack over HTTP and WebSocket),
// browser (the web console) and conformance (AppSync's documented behaviour).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/infra/**/*.test.ts'],
          testTimeout: 60_000,
          // Synthesizing and bundling the CDK app in a hook takes seconds, more on a busy machine.
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // The web console (console/) in Debian's Chromium, driven by playwright-core, against a
        // local stack of its own.
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/browser/global-setup.ts'],
          testTimeout: 90_000,
          hookTimeout: 180_000,
        },
      },
      {
        // The local stack against AppSync's documented behaviour (docs/conformance.md), on its
        // own fixture app; `npm run test:conformance -- --outputs <file>` runs it against AWS.
        test: {
          name: 'conformance',
          include: ['test/conformance/**/*.test.ts'],
          globalSetup: ['test/conformance/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
