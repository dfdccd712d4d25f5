import { defineConfig } from 'vitest/config';

/**
 * Suites that run twice: on SQLite (the default) and on PostgreSQL. The store and fault suites
 * parameterize themselves (describe.each over the engines); these run whole on each engine, with
 * startTestGateway reading PORTICO_TEST_ENGINE.
 */
const BOTH_ENGINES = [
  'test/integration/admin-workspace.test.ts',
  'test/integration/gateway-http.test.ts',
  'test/integration/gateway-mcp.test.ts',
  'test/integration/gateway-events.test.ts',
  'test/integration/webhooks.test.ts',
  'test/integration/planes.test.ts',
  'test/integration/usage.test.ts',
  'test/integration/activity-retention.test.ts',
  'test/integration/oauth-mcp-clients.test.ts',
];

/** What both projects share. The global setups are per project (a root-level one would run a third time). */
const common = {
  globalSetup: ['test/global-setup.ts', 'test/postgres-setup.ts'],
  testTimeout: 30_000,
  hookTimeout: 30_000,
};

export default defineConfig({
  test: {
    // Integration tests start real servers and child processes; two cores here.
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      { extends: true, test: { ...common, name: 'sqlite', include: ['test/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          ...common,
          name: 'postgres',
          include: BOTH_ENGINES,
          env: { PORTICO_TEST_ENGINE: 'postgres' },
        },
      },
    ],
  },
});
