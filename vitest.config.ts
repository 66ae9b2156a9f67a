// Test runner configuration: every worker loads isolated-vm, which needs --no-node-snapshot on Node 20+.
// PostgreSQL is looked for once per run: the store contract suites and the core integration tests
// run on it too; without it they are skipped with one line saying why (under CI=true they fail).
import { randomBytes } from 'node:crypto';
import { defineConfig, type UserConfig } from 'vitest/config';
import { probePostgres, type PostgresProbe } from './test/support/postgres-probe.ts';

/** Integration tests whose behaviour rests on the store: run a second time with Stratus on PostgreSQL. */
const CORE_ON_POSTGRES = [
  'test/integration/function-behaviour.test.ts',
  'test/integration/sdk-conformance.test.ts',
  'test/integration/tenancy.test.ts',
  'test/integration/tags.test.ts',
  'test/integration/egress-policy.test.ts',
  'test/chaos/restart.test.ts',
];

export default defineConfig(async (): Promise<UserConfig> => {
  const required = process.env.CI === 'true';
  // Vitest evaluates this file again for each project: the probe, its one printed line and the
  // schema prefix belong to the run, so the first evaluation's are kept.
  const run = globalThis as { stratusPostgresProbe?: Promise<PostgresProbe> };
  const first = run.stratusPostgresProbe === undefined;
  run.stratusPostgresProbe ??= probePostgres();
  const found = await run.stratusPostgresProbe;
  if (first && !found.url) console.log(`PostgreSQL tests ${required ? 'will fail (CI=true)' : 'skipped'}: ${found.reason}`);
  // Read by the global teardown, which runs in this process and drops the run's schemas.
  process.env.STRATUS_TEST_SCHEMA_PREFIX ??= `stratus_t${randomBytes(3).toString('hex')}_`;
  const schemaPrefix = process.env.STRATUS_TEST_SCHEMA_PREFIX;
  if (found.url) process.env.STRATUS_TEST_POSTGRES_FOUND = found.url;
  const postgres = { url: found.url, reason: found.reason, required, schemaPrefix };
  const store = (name: 'sqlite' | 'postgres') => ({ postgres, store: name });
  return {
    test: {
      pool: 'forks',
      poolOptions: { forks: { execArgv: ['--no-node-snapshot'] } },
      // The JSON report lets .ci/run print one plain 'N passed, N failed' closing line.
      reporters: ['default', 'json'],
      outputFile: { json: '.vitest-report.json' },
      testTimeout: 30_000,
      hookTimeout: 30_000,
      globalSetup: ['test/support/postgres.global-setup.ts'],
      projects: [
        { extends: true as const, test: { name: 'main', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], provide: store('sqlite') } },
        ...(found.url || required ? [{ extends: true as const, test: { name: 'postgres', include: CORE_ON_POSTGRES, provide: store('postgres') } }] : []),
      ],
    },
  };
});
