#!/usr/bin/env node
// The `stratus` command. The CLI is TypeScript run through tsx, registered here so the bin works
// without a build step; the CLI never loads isolated-vm, so no --no-node-snapshot is needed.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main();
