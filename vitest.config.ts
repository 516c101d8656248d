import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Two projects: most tests run in-process (yoga.fetch, the emulator's dispatcher), and listening
// on a port fails there; tests that open sockets, spawn processes or drive a browser live under
// test/net and run in their own project.
// The unit files run one per core (vitest's default keeps a core for its main process, which
// these CPU-bound files leave idle: on CI's 2 cores that ran them one at a time); the net files,
// which start servers and processes and time their answers, run one at a time after them.
export default defineConfig({
  // graphql 16 ships CJS (main) and ESM (module). Node, loading Pothos and Yoga from node_modules,
  // takes the CJS build; Vite would hand test files the ESM one: two graphql instances that reject
  // each other's schemas. Point everything at the build Node uses.
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/net/**'],
          // No test here opens a port (test/in-process.ts makes listening throw).
          setupFiles: ['test/in-process.ts'],
          maxWorkers: availableParallelism(),
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
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
