// Test runner configuration: every worker loads isolated-vm, which needs --no-node-snapshot on Node 20+.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    poolOptions: { forks: { execArgv: ['--no-node-snapshot'] } },
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
