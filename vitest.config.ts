import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs nothing but Node (in-memory SQLite counts as Node), `integration`
// talks to the real stack that `npm run stack:up` starts. The integration project's global setup
// fails the run, naming the service and how to start it, when a component is missing: no test
// is ever skipped for lack of a service.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/require-stack.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // The stack is shared (one Kafka, one MariaDB, one Redis) and the machine has 2 cores.
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
