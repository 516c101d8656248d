import { defineConfig } from 'vitest/config';

// Two projects: most tests run in-process (yoga.fetch, emulator handler); tests that open
// sockets, spawn processes or drive a browser live under test/net and run in their own project.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/net/**'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'net',
          include: ['test/net/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
