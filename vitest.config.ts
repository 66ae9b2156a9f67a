// Test runner configuration: every worker loads isolated-vm, which needs --no-node-snapshot on Node 20+.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    poolOptions: { forks: { execArgv: ['--no-node-snapshot'] } },
    // The JSON report lets .ci/run print one plain 'N passed, N failed' closing line.
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-report.json' },
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
